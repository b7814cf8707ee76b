import Foundation
import HummingbirdWSClient
import Logging
import NIOSSL
import Signaling
import Synchronization

/// Why the signaling client could not be set up.
public struct SignalingClientError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The client half of the MDN chat-server protocol: connects with subprotocol `json` (ws or wss),
/// logs in (adopting the server's name on `rejectusername`), tracks the user list, sends and
/// receives chat and call messages, and reconnects with backoff, logging in again.
public final class SignalingClient: Sendable {
    public let url: String
    public let events: AsyncStream<SignalingEvent>
    private let eventSink: AsyncStream<SignalingEvent>.Continuation
    private let logger: Logger
    private let policy: ReconnectPolicy
    private let tlsConfiguration: TLSConfiguration?
    /// Access token for servers started with `--token-file`; sent with every login, never logged.
    private let token: String?
    /// Largest message accepted from the server: user lists of thousands of names are long. 4 MiB.
    static let maxInboundBytes = 4 << 20

    private enum Outgoing: Sendable { case text(String), close }
    private struct State {
        var name: String
        var clientID: Int?
        var users: [String] = []
        var loggedIn = false
        /// Per connection: the server's `id` arrived, and a login (`username`) awaits its answer.
        var sawID = false
        var loginPending = false
        var stopped = false
        var outbound: AsyncStream<Outgoing>.Continuation?
        var loop: Task<Void, Never>?
    }
    private let state: Mutex<State>

    /// `tlsConfiguration` applies to wss:// URLs; nil means the system's trust roots.
    public init(url: String, name: String, logger: Logger, reconnect: ReconnectPolicy = ReconnectPolicy(),
                tlsConfiguration: TLSConfiguration? = nil, token: String? = nil) {
        self.url = url
        self.tlsConfiguration = tlsConfiguration
        self.token = token
        self.logger = logger
        policy = reconnect
        state = Mutex(State(name: name))
        (events, eventSink) = AsyncStream.makeStream()
    }

    /// Our name as the server knows it (after any `rejectusername`).
    public var username: String { state.withLock { $0.name } }
    public var users: [String] { state.withLock { $0.users } }
    public var clientID: Int? { state.withLock { $0.clientID } }
    public var isLoggedIn: Bool { state.withLock { $0.loggedIn } }

    /// Starts connecting in the background; events report progress.
    public func start() {
        state.withLock { s in
            guard s.loop == nil else { return }
            s.loop = Task { await self.connectLoop() }
        }
    }

    /// Closes the connection (close frame sent) and stops reconnecting.
    public func stop() async {
        let (loop, out) = state.withLock { s -> (Task<Void, Never>?, AsyncStream<Outgoing>.Continuation?) in
            s.stopped = true
            return (s.loop, s.outbound)
        }
        out?.yield(.close)
        // Not connected (waiting to retry, or connecting): nothing to close politely, stop at once.
        if out == nil { loop?.cancel() }
        if let loop {
            let watchdog = Task { try? await Task.sleep(for: .seconds(2)); loop.cancel() }
            await loop.value
            watchdog.cancel()
        }
        emit(.state(.stopped))
        eventSink.finish()
    }

    /// Sends a message now; false when not connected (call messages are useless later).
    @discardableResult
    public func send(_ message: SignalMessage) -> Bool {
        guard let out = state.withLock({ $0.outbound }) else { return false }
        if case .enqueued = out.yield(.text(message.text)) { return true }
        return false
    }

    /// Sends a chat line: public, or private to `target`.
    @discardableResult
    public func sendChat(_ text: String, to target: String? = nil) -> Bool {
        send(.chat(ChatMessage(text: text, id: clientID, date: Int64(Date().timeIntervalSince1970 * 1000), target: target)))
    }

    private func emit(_ e: SignalingEvent) { eventSink.yield(e) }

    /// TLS for wss:// that trusts the certificates in a PEM file (a self-signed server's) besides the system's.
    public static func tlsConfiguration(trusting caFile: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        do {
            let certs = try NIOSSLCertificate.fromPEMFile(caFile)
            guard !certs.isEmpty else { throw SignalingClientError("no certificate in \(caFile)") }
            tls.additionalTrustRoots = [.certificates(certs)]
        } catch let e as SignalingClientError { throw e } catch {
            throw SignalingClientError("cannot read certificates from \(caFile): \(error)")
        }
        return tls
    }

    /// wss:// to an IP literal cannot work with the WebSocket library (TLS server name indication
    /// cannot carry an IP), so say so instead of retrying forever.
    public static func urlProblem(_ url: String) -> String? {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased() else { return "invalid server URL \(url)" }
        guard scheme == "ws" || scheme == "wss" else { return "server URL must start with ws:// or wss://: \(url)" }
        guard let host = u.host, !host.isEmpty else { return "server URL has no host: \(url)" }
        if scheme == "wss" && (host.contains(":") || host.split(separator: ".").allSatisfy({ UInt8($0) != nil })) {
            return "wss:// needs the certificate's host name, not an IP address (\(host))"
        }
        return nil
    }

    private func connectLoop() async {
        if let problem = Self.urlProblem(url) {
            emit(.state(.disconnected(reason: problem)))
            logger.error("signaling URL refused", metadata: ["reason": "\(problem)"])
            return
        }
        var failures = 0
        while !state.withLock({ $0.stopped }) && !Task.isCancelled {
            emit(.state(.connecting(attempt: failures + 1)))
            var reason: String
            var retryable = true
            let wasConnected = Atomic<Bool>(false)
            do {
                let tls: TLSConfiguration? = url.lowercased().hasPrefix("wss:")
                    ? (tlsConfiguration ?? .makeClientConfiguration()) : nil
                let close = try await WebSocketClient.connect(
                    url: url,
                    configuration: .init(maxFrameSize: Self.maxInboundBytes,
                                         additionalHeaders: [.secWebSocketProtocol: "json"],
                                         autoPing: .enabled(timePeriod: .seconds(20))),
                    tlsConfiguration: tls,
                    logger: logger
                ) { inbound, outbound, _ in
                    wasConnected.store(true, ordering: .relaxed)
                    try await self.session(inbound: inbound, outbound: outbound)
                }
                reason = "server closed the connection" + (close.map { " (\($0.closeCode))" } ?? "")
            } catch {
                let problem = ConnectionProblem.from(error, url: url)
                reason = problem.description
                retryable = problem.retryable || wasConnected.load(ordering: .relaxed)
                if reason.contains("not trusted"), let cert = await ConnectionProblem.describeCertificate(url: url) {
                    reason += " (\(cert))"
                }
            }
            state.withLock { s in
                s.outbound = nil
                s.loggedIn = false
                s.sawID = false
                s.loginPending = false
            }
            emit(.state(.disconnected(reason: reason)))
            logger.info("signaling disconnected", metadata: ["reason": "\(reason)"])
            if state.withLock({ $0.stopped }) || !policy.enabled { break }
            if !retryable && !policy.retryUnfixable {
                emit(.state(.failed(reason: reason)))
                logger.error("not retrying: \(reason)")
                break
            }
            failures = wasConnected.load(ordering: .relaxed) ? 1 : failures + 1
            let delay = policy.delay(afterFailures: failures)
            emit(.state(.waitingToReconnect(seconds: delay)))
            try? await Task.sleep(for: .seconds(delay))
        }
    }

    private func session(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let (stream, out) = AsyncStream<Outgoing>.makeStream()
        let stopped = state.withLock { s -> Bool in
            s.outbound = out
            return s.stopped
        }
        if stopped { return }
        emit(.state(.connected))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await item in stream {
                    switch item {
                    case .text(let t): try await outbound.write(.text(t))
                    case .close:
                        try await outbound.close(.normalClosure, reason: "bye")
                        return
                    }
                }
            }
            for try await message in inbound.messages(maxSize: Self.maxInboundBytes) {
                guard case .text(let text) = message else { continue }
                handle(text: text, out: out)
            }
            out.finish()
            group.cancelAll()
        }
    }

    private func handle(text: String, out: AsyncStream<Outgoing>.Continuation) {
        let message: SignalMessage
        do {
            let json = try JSONParser.parse(text)
            message = try SignalMessage(json: json)
            // A server-only message that names a sender was relayed from another user by a server that does
            // not refuse them (the original MDN server): it does not speak for the server.
            if SignalMessage.serverOnlyTypes.contains(message.type), json.objectValue?["name"] != nil,
               message.type != "rejectusername" {
                logger.warning("ignoring a \(message.type) relayed from a user")
                return
            }
        } catch {
            logger.warning("ignoring bad message from server", metadata: ["error": "\(error)"])
            return
        }
        switch message {
        case .id(let id):
            guard let name = state.withLock({ s -> String? in
                guard !s.sawID else { return nil }
                s.sawID = true
                s.loginPending = true
                s.clientID = id
                return s.name
            }) else {
                logger.warning("ignoring a second id message on one connection")
                return
            }
            emit(.assignedID(id))
            let login = SignalMessage.username(name: name, id: id, date: Int64(Date().timeIntervalSince1970 * 1000),
                                               token: token)
            out.yield(.text(login.text))
        case .rejectUsername(let name, _):
            // Only the answer to our own login renames us.
            guard state.withLock({ s -> Bool in
                guard s.loginPending else { return false }
                s.name = name
                return true
            }) else {
                logger.warning("ignoring a rejectusername that answers no login of ours")
                return
            }
            emit(.renamed(name))
        case .userList(let users):
            let (name, first) = state.withLock { s -> (String, Bool) in
                s.users = users
                let first = !s.loggedIn && users.contains(s.name)
                if first { s.loggedIn = true; s.loginPending = false }
                return (s.name, first)
            }
            if first { emit(.state(.loggedIn(name: name))) }
            emit(.userList(users))
        case .chat(let chat):
            emit(.chat(chat))
        case .userStatus(let busy):
            emit(.userStatus(busy: busy))
        case .history(let lines):
            emit(.history(lines))
        case .error(let code, let text):
            emit(.serverError(code: code, text: text))
        default:
            emit(.message(message))
        }
    }
}
