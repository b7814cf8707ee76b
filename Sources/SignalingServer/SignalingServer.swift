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
    private let onListening: @Sendable (Int) async -> Void

    /// `onListening` receives the bound port (useful with port 0).
    public init(configuration: SignalingServerConfiguration, logger: Logger,
                onListening: @escaping @Sendable (Int) async -> Void = { _ in }) {
        self.configuration = configuration
        self.logger = logger
        self.onListening = onListening
        registry = ConnectionRegistry(maxNameLength: configuration.maxNameLength)
        broadcaster = UserListBroadcaster(registry: registry, minDelayMs: configuration.userListCoalesceMs,
                                          bytesPerSecond: configuration.userListBytesPerSecond)
    }

    /// Connections and logged-in users right now.
    public var counts: (connections: Int, users: Int) { registry.counts }

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
        let upgrade = HTTPServerBuilder.http1WebSocketUpgrade(
            configuration: .init(
                http1: .init(additionalChannelHandlers: [FailedUpgradeExplainer()]),
                // Pings come from one shared timer (see pingIntervalSeconds), not a task per connection.
                ws: .init(maxFrameSize: config.maxMessageBytes, autoPing: .disabled,
                          closeTimeout: .seconds(config.closeTimeoutSeconds), validateUTF8: true))
        ) { [self] request, channel, _ in
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
        guard let certPath = config.tlsCertificatePath, let keyPath = config.tlsKeyPath else {
            if config.tlsCertificatePath != nil || config.tlsKeyPath != nil {
                throw SignalingServerError(description: "TLS needs both --tls-cert and --tls-key")
            }
            return upgrade
        }
        do {
            let certs = try NIOSSLCertificate.fromPEMFile(certPath).map { NIOSSLCertificateSource.certificate($0) }
            let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: certs, privateKey: .privateKey(key))
            return try .tls(upgrade, tlsConfiguration: tls)
        } catch {
            throw SignalingServerError(description: "cannot load TLS certificate \(certPath) / key \(keyPath): \(error)")
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
        openChannels.add(channel)
        let connection = registry.add(channel: channel, maxPendingBytes: configuration.maxPendingBytesPerClient)
        let router = MessageRouter(registry: registry, broadcaster: broadcaster)
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
            if let complete { _ = router.handle(text: complete, from: connection) }
        }
        if let closeWith {
            // The explanation goes out before the close frame.
            _ = try? await lastReply?.get()
            connection.markClosed()
            try await outbound.close(closeWith.code, reason: closeWith.reason)
        }
    }
}
