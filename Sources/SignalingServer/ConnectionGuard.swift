import HummingbirdCore
import Logging
import NIOCore
import Synchronization

/// Admission and deadlines for TCP connections, before a byte of HTTP is parsed: at most `maxConnections`
/// in all and `maxPerAddress` from one address (refused at once with a 503, so accepting never stops and file
/// descriptors never run out), and a connection that has not become a WebSocket within `upgradeTimeout`
/// (a half-sent request, a slowloris, an idle HTTP keep-alive) is closed.
final class ConnectionGuard: Sendable {
    let maxConnections: Int
    let maxPerAddress: Int
    let upgradeTimeout: TimeAmount
    private struct State {
        var total = 0
        var perAddress: [String: Int] = [:]
        var deadlines: [ObjectIdentifier: Scheduled<Void>] = [:]
    }
    private let state = Mutex(State())
    /// Connections refused for a limit, and closed for not upgrading in time (tests, logs).
    let refused = Atomic<Int>(0)
    let expired = Atomic<Int>(0)

    init(maxConnections: Int, maxPerAddress: Int, upgradeTimeout: TimeAmount) {
        self.maxConnections = maxConnections
        self.maxPerAddress = maxPerAddress
        self.upgradeTimeout = upgradeTimeout
    }

    /// Counts a new connection and starts its upgrade deadline; false (nothing counted) when over a limit.
    func admit(_ channel: any Channel) -> Bool {
        let address = channel.remoteAddress?.ipAddress ?? "?"
        let key = ObjectIdentifier(channel)
        let admitted = state.withLock { s -> Bool in
            guard s.total < maxConnections, maxPerAddress <= 0 || s.perAddress[address, default: 0] < maxPerAddress
            else { return false }
            s.total += 1
            s.perAddress[address, default: 0] += 1
            return true
        }
        guard admitted else {
            refused.add(1, ordering: .relaxed)
            return false
        }
        let deadline = channel.eventLoop.scheduleTask(in: upgradeTimeout) { [self] in
            expired.add(1, ordering: .relaxed)
            channel.close(promise: nil)
        }
        state.withLock { $0.deadlines[key] = deadline }
        channel.closeFuture.whenComplete { [self] _ in
            state.withLock { s in
                s.deadlines.removeValue(forKey: key)?.cancel()
                s.total -= 1
                let left = s.perAddress[address, default: 1] - 1
                s.perAddress[address] = left > 0 ? left : nil
            }
        }
        return true
    }

    /// The connection is a WebSocket now: it stays open as long as the protocol allows.
    func upgraded(_ channel: any Channel) {
        state.withLock { $0.deadlines.removeValue(forKey: ObjectIdentifier(channel))?.cancel() }
    }

    var connections: Int { state.withLock { $0.total } }
}

/// A server child channel behind a `ConnectionGuard`: refused connections get a short 503 and are closed.
struct GuardedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let connectionGuard: ConnectionGuard
    /// Plain TCP: the refusal can be written as HTTP before any handler exists.
    let plaintext: Bool

    static var refusal: String {
        let body = "too many connections to this server (or from your address); try again later\n"
        return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\nRetry-After: 5\r\n\r\n" + body
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        if !connectionGuard.admit(channel) {
            logger.debug("connection refused: over a connection limit",
                         metadata: ["address": "\(channel.remoteAddress?.ipAddress ?? "?")"])
            // The channel is not active yet during setup: the handler, first in the pipeline, answers once it is
            // and closes. The usual pipeline is built behind it (failing setup would leave the socket open).
            do {
                try channel.pipeline.syncOperations.addHandler(Refusal(answer: plaintext ? Self.refusal : nil))
            } catch {
                channel.close(promise: nil)
            }
        }
        return base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async { await base.handle(value: value, logger: logger) }
}

/// Answers a refused connection (a 503 on plain TCP, nothing under TLS) and closes it.
private final class Refusal: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let answer: String?
    init(answer: String?) { self.answer = answer }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { refuse(context) }
    }
    func channelActive(context: ChannelHandlerContext) { refuse(context) }
    /// Whatever the client sends is dropped: nothing behind this handler may answer.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func refuse(_ context: ChannelHandlerContext) {
        guard let answer else {
            context.close(promise: nil)
            return
        }
        let channel = context.channel
        context.writeAndFlush(NIOAny(ByteBuffer(string: answer))).whenComplete { _ in channel.close(promise: nil) }
    }
}
