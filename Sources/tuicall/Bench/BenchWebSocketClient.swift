import Media
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// What all benchmark clients share: latency samples and completion counters.
final class BenchTally: Sendable {
    private struct State {
        var latenciesUs: [UInt32] = []
        var loggedIn = 0
        var received = 0
        var recording = false
    }
    private let state = Mutex(State())
    /// Byte length of the final user list (every bench user in it).
    let finalUserListBytes: Int

    init(finalUserListBytes: Int) { self.finalUserListBytes = finalUserListBytes }

    func record(latencyNs: UInt64) {
        state.withLock { s in
            s.received += 1
            if s.recording { s.latenciesUs.append(UInt32(min(latencyNs / 1000, UInt64(UInt32.max)))) }
        }
    }
    func clientSawFullList() { state.withLock { $0.loggedIn += 1 } }
    var loggedIn: Int { state.withLock { $0.loggedIn } }
    var received: Int { state.withLock { $0.received } }
    func setRecording(_ on: Bool) { state.withLock { $0.recording = on } }
    func takeLatencies() -> [UInt32] { state.withLock { s in defer { s.latenciesUs = [] }; return s.latenciesUs } }
}

/// A minimal WebSocket client speaking the chat protocol: answers `id` with `username`, notices when
/// the complete user list arrives, and timestamps routed `bench` messages.
final class BenchClientHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    let name: String
    let tally: BenchTally
    private var sawFullList = false

    init(name: String, tally: BenchTally) { self.name = name; self.tally = tally }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard frame.opcode == .text else {
            if frame.opcode == .connectionClose { context.close(promise: nil) }
            return
        }
        let bytes = frame.unmaskedData.readableBytesView
        if bytes.starts(with: Self.benchPrefix) {
            if let t = Self.number(after: Self.tKey, in: bytes) {
                let now = MonotonicClock.now()
                tally.record(latencyNs: now > t ? now - t : 0)
            }
        } else if bytes.starts(with: Self.userListPrefix) {
            if !sawFullList && bytes.count == tally.finalUserListBytes {
                sawFullList = true
                tally.clientSawFullList()
            }
        } else if bytes.starts(with: Self.idPrefix) {
            let text = #"{"type":"username","name":"\#(name)"}"#
            context.writeAndFlush(wrapOutboundOut(Self.textFrame(text, allocator: context.channel.allocator)), promise: nil)
        }
    }

    static func textFrame(_ text: String, allocator: ByteBufferAllocator) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: allocator.buffer(string: text))
    }

    static let benchPrefix = Array(#"{"type":"bench""#.utf8)
    static let userListPrefix = Array(#"{"type":"userlist""#.utf8)
    static let idPrefix = Array(#"{"type":"id""#.utf8)
    static let tKey = Array(#""t":"#.utf8)

    static func number(after key: [UInt8], in bytes: ByteBufferView) -> UInt64? {
        guard let r = bytes.firstRange(of: key) else { return nil }
        var v: UInt64 = 0
        var i = r.upperBound
        var digits = 0
        while i < bytes.endIndex, bytes[i] >= 0x30, bytes[i] <= 0x39 {
            v = v &* 10 &+ UInt64(bytes[i] - 0x30)
            i += 1; digits += 1
        }
        return digits > 0 ? v : nil
    }
}

/// Sends the upgrade request (with subprotocol json) once the TCP connection is up.
final class UpgradeRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart
    let host: String
    let port: Int
    init(host: String, port: Int) { self.host = host; self.port = port }

    func channelActive(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(host):\(port)")
        headers.add(name: "Sec-WebSocket-Protocol", value: "json")
        headers.add(name: "Content-Length", value: "0")
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/", headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }
}

enum BenchConnector {
    /// Opens one WebSocket connection; the future completes when the upgrade is done.
    static func connect(group: EventLoopGroup, host: String, port: Int, name: String,
                        tally: BenchTally) -> EventLoopFuture<Channel> {
        let upgraded = group.next().makePromise(of: Void.self)
        let settled = MutexBox(false)
        let settle: @Sendable (Bool) -> Void = { ok in
            let first = settled.withLock { done in defer { done = true }; return !done }
            guard first else { return }
            if ok { upgraded.succeed(()) } else { upgraded.fail(ChannelError.ioOnClosedChannel) }
        }
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelInitializer { channel in
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 24) { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(BenchClientHandler(name: name, tally: tally))
                    }
                }
                return channel.eventLoop.makeCompletedFuture {
                    let request = UpgradeRequestHandler(host: host, port: port)
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(leftOverBytesStrategy: .forwardBytes,
                        withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in settle(true) }))
                    try channel.pipeline.syncOperations.addHandler(request)
                }
            }
        return bootstrap.connect(host: host, port: port).flatMap { channel in
            // Fail the wait if the server closes before upgrading; a completed promise stays as it is.
            channel.closeFuture.whenComplete { _ in settle(false) }
            return upgraded.futureResult.map { channel }
        }
    }
}
