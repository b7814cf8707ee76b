import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import NIOWebSocket
import ServiceLifecycle
import Signaling
import Synchronization

/// Why the server could not start.
public struct SignalingServerError: Error, CustomStringConvertible {
    public var description: String
}

/// `tuicall serve`: the MDN chat server's protocol over WebSocket (subprotocol `json`) plus plain
/// HTTP (`/healthz`, static files) on the same port. Run it as a Service (ServiceGroup handles
/// SIGINT/SIGTERM: close frames go out and the port is released).
public final class SignalingServer: Service, Sendable {
    public let configuration: SignalingServerConfiguration
    private let logger: Logger
    private let registry: ConnectionRegistry
    private let broadcaster: UserListBroadcaster
    private let openChannels = OpenChannels()
    private let connectionGuard: ConnectionGuard
    private let serverFanout: SharedTokenBucket
    private let history: ChatHistory
    private let onListening: @Sendable (Int) async -> Void

    /// `onListening` receives the bound port (useful with port 0).
    public init(configuration: SignalingServerConfiguration, logger: Logger,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        registry = ConnectionRegistry(rules: configuration.usernameRules, maxUserListBytes: configuration.maxUserListBytes)
        connectionGuard = ConnectionGuard(maxConnections: min(configuration.maxConnections, Self.connectionCeiling()),
                                          maxPerAddress: configuration.maxConnectionsPerAddress,
                                          upgradeTimeout: .milliseconds(Int64(configuration.upgradeTimeoutSeconds * 1000)))
        history = ChatHistory(capacity: configuration.historyLines)
        serverFanout = SharedTokenBucket(rate: configuration.serverBroadcastBytesPerSecond,
                                         burst: configuration.serverBroadcastBurstBytes)
        broadcaster = UserListBroadcaster(registry: registry, minDelayMs: configuration.userListCoalesceMs,
                                          bytesPerSecond: configuration.userListBytesPerSecond)
    }

    /// WebSocket connections and logged-in users right now.
    public var counts: (connections: Int, users: Int) { registry.counts }
    /// TCP connections right now, and how many were refused for a limit or closed for not upgrading in time.
    public var tcpCounts: (open: Int, refused: Int, expired: Int) {
        (connectionGuard.connections, connectionGuard.refused.load(ordering: .relaxed),
         connectionGuard.expired.load(ordering: .relaxed))
    }

    /// Raises the soft open-file limit to the hard one and returns how many connections fit below it, leaving
    /// 128 descriptors for everything else: past that, accept() would fail and spin.
    static func connectionCeiling() -> Int {
        var lim = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 else { return 1024 }
        if lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
        }
        return max(16, Int(min(lim.rlim_cur, 1 << 30)) - 128)
    }

    public func run() async throws {
        let app = Application(
            router: makeHTTPRouter(),
            server: try makeServerBuilder(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "tuicall", backlog: configuration.backlog),
            onServerRunning: { [onListening, logger, configuration] channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info("signaling server listening", metadata: ["host": "\(configuration.host)", "port": "\(port)"])
                await onListening(port)
            },
            logger: logger)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { await self.broadcaster.run() }
            if configuration.pingIntervalSeconds > 0 {
                group.addTask { [registry, configuration] in
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(configuration.pingIntervalSeconds))
                        for c in registry.allConnections() { c.ping() }
                    }
                }
            }
            defer { broadcaster.stop(); group.cancelAll() }
            // Clients get close frames and closeTimeoutSeconds to answer; whoever is still connected
            // after shutdownGraceSeconds is cut off, so a frozen client cannot hold the shutdown up.
            let forceClose = Mutex<Task<Void, Never>?>(nil)
            defer { forceClose.withLock { $0?.cancel() } }
            try await withGracefulShutdownHandler {
                try await app.runService()
            } onGracefulShutdown: { [openChannels, configuration, logger] in
                forceClose.withLock {
                    $0 = Task {
                        try? await Task.sleep(for: .seconds(configuration.shutdownGraceSeconds))
                        guard !Task.isCancelled, openChannels.count > 0 else { return }
                        logger.info("closing connections that did not finish closing", metadata: ["count": "\(openChannels.count)"])
                        openChannels.closeAll()
                    }
                }
            }
        }
    }

    private func makeServerBuilder() throws -> HTTPServerBuilder {
        let config = configuration
        let wsConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: .init(additionalChannelHandlers: [FailedUpgradeExplainer()]),
            // Pings come from one shared timer (see pingIntervalSeconds), not a task per connection.
            ws: .init(maxFrameSize: config.maxMessageBytes,
                      extensions: [.nonNegotiatedExtension { ClientMaskingRequirement() }],
                      autoPing: .disabled, closeTimeout: .seconds(config.closeTimeoutSeconds), validateUTF8: true))
        let shouldUpgrade: @Sendable (HTTPRequest, any Channel, Logger) throws
            -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> = { [self] request, channel, _ in
            // Subprotocols arrive as one comma-separated header or several headers.
            let offered = request.headerFields[values: .secWebSocketProtocol]
                .flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            guard offered.contains("json") else {
                self.logger.info("refused WebSocket without subprotocol json", metadata: ["offered": "\(offered)"])
                return .dontUpgrade
            }
            return .upgrade([.secWebSocketProtocol: "json"]) { inbound, outbound, _ in
                try await self.serve(inbound: inbound, outbound: outbound, channel: channel)
            }
        }
        var tls: TLSConfiguration?
        if let certPath = config.tlsCertificatePath, let keyPath = config.tlsKeyPath {
            do {
                let certs = try NIOSSLCertificate.fromPEMFile(certPath).map { NIOSSLCertificateSource.certificate($0) }
                let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
                tls = TLSConfiguration.makeServerConfiguration(certificateChain: certs, privateKey: .privateKey(key))
            } catch {
                throw SignalingServerError(description: "cannot load TLS certificate \(certPath) / key \(keyPath): \(error)")
            }
        } else if config.tlsCertificatePath != nil || config.tlsKeyPath != nil {
            throw SignalingServerError(description: "TLS needs both --tls-cert and --tls-key")
        }
        let connectionGuard = self.connectionGuard
        return HTTPServerBuilder { [tls] responder in
            // The guard comes first: limits and the upgrade deadline apply before TLS or HTTP parsing.
            let ws = HTTP1WebSocketUpgradeChannel(responder: responder, configuration: wsConfiguration,
                                                  shouldUpgrade: shouldUpgrade)
            guard let tls else { return GuardedChannel(base: ws, connectionGuard: connectionGuard, plaintext: true) }
            return GuardedChannel(base: try TLSChannel(ws, tlsConfiguration: tls), connectionGuard: connectionGuard,
                                  plaintext: false)
        }
    }

    private func makeHTTPRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { [registry] _, _ -> Response in
            let (connections, users) = registry.counts
            let body = JSONValue.object(["status": .string("ok"), "connections": .int(connections),
                                         "users": .int(users)]).serialized()
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
        }
        for (path, file) in configuration.staticFiles {
            router.get(RouterPath(path)) { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: file.contentType, .cacheControl: "no-cache"],
                         body: .init(byteBuffer: ByteBuffer(bytes: file.body)))
            }
        }
        if configuration.staticFiles["/"] == nil {
            router.get("/") { _, _ -> Response in
                Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(string:
                            "tuicall signaling server: connect a WebSocket with subprotocol \"json\" here; GET /healthz for status.\n")))
            }
        }
        return router
    }

    /// One WebSocket connection: this task reads and applies the rules; whoever sends to the
    /// connection writes straight into its channel (see `ClientConnection`).
    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter,
                       channel: any Channel) async throws {
        connectionGuard.upgraded(channel)
        openChannels.add(channel)
        let connection = registry.add(channel: channel, maxPendingBytes: configuration.maxPendingBytesPerClient) {
            [registry, broadcaster, logger] c in
            logger.info("client too slow: send queue over its limit, connection dropped", metadata: ["id": "\(c.id)"])
            if registry.remove(c.id) { broadcaster.changed() }
        }
        var router = MessageRouter(registry: registry, broadcaster: broadcaster,
                                   limits: .init(tokens: configuration.accessTokens, history: history, serverFanout: serverFanout,
                                                 fanoutPerSecond: configuration.broadcastBytesPerSecond,
                                                 fanoutBurst: configuration.broadcastBurstBytes))
        defer {
            connection.markClosed()
            if registry.remove(connection.id) { broadcaster.changed() }
        }
        connection.send(ByteBuffer(bytes: SignalMessage.id(connection.id).json.serializedBytes()))
        var bucket = TokenBucket(rate: configuration.rateLimitPerSecond, burst: configuration.rateLimitBurst,
                                 nowNs: DispatchTime.now().uptimeNanoseconds)
        var closeWith: (code: WebSocketErrorCode, reason: String)?
        var lastReply: EventLoopFuture<Void>?
        var partial: ByteBuffer?  // a text message arriving in several frames
        for try await frame in inbound {
            guard bucket.take(nowNs: DispatchTime.now().uptimeNanoseconds) else {
                lastReply = router.reply(connection, code: "rate-limited",
                                         "more than \(Int(configuration.rateLimitPerSecond)) messages/s; disconnecting")
                closeWith = (.policyViolation, "rate limit exceeded")
                break
            }
            var complete: ByteBuffer?
            switch frame.opcode {
            case .text:
                // RFC 6455 §5.4: a new message may not start inside a fragmented one.
                guard partial == nil else {
                    closeWith = (.protocolError, "a new text frame inside a fragmented message")
                    break
                }
                if frame.fin { complete = frame.data } else { partial = frame.data }
            case .continuation:
                guard var p = partial else {
                    closeWith = (.protocolError, "continuation without a first frame")
                    break
                }
                guard p.readableBytes + frame.data.readableBytes <= configuration.maxMessageBytes else {
                    closeWith = (.messageTooLarge, "message over \(configuration.maxMessageBytes) bytes")
                    break
                }
                var data = frame.data
                p.writeBuffer(&data)
                if frame.fin { complete = p; partial = nil } else { partial = p }
            default:
                closeWith = (.unacceptableData, "binary frames are not supported: send JSON text")
            }
            if closeWith != nil { break }
            if let complete, case .close(let why) = router.handle(text: complete, from: connection) {
                closeWith = (.policyViolation, why)
                break
            }
        }
        if let closeWith {
            // The explanation goes out before the close frame.
            _ = try? await lastReply?.get()
            connection.markClosed()
            try await outbound.close(closeWith.code, reason: closeWith.reason)
        }
    }
}
