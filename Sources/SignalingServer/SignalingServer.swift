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
            defer { broadcaster.stop() }
            try await app.runService()
        }
    }

    private func makeServerBuilder() throws -> HTTPServerBuilder {
        let config = configuration
        let upgrade = HTTPServerBuilder.http1WebSocketUpgrade(
            configuration: .init(
                http1: .init(additionalChannelHandlers: [FailedUpgradeExplainer()]),
                ws: .init(maxFrameSize: config.maxMessageBytes, autoPing: .enabled(timePeriod: .seconds(30)),
                          validateUTF8: true))
        ) { [self] request, _, _ in
            // Subprotocols arrive as one comma-separated header or several headers.
            let offered = request.headerFields[values: .secWebSocketProtocol]
                .flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            guard offered.contains("json") else {
                self.logger.info("refused WebSocket without subprotocol json", metadata: ["offered": "\(offered)"])
                return .dontUpgrade
            }
            return .upgrade([.secWebSocketProtocol: "json"]) { inbound, outbound, _ in
                try await self.serve(inbound: inbound, outbound: outbound)
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

    /// One WebSocket connection: a reader applying the rules, and a writer draining the mailbox.
    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let connection = registry.add(mailboxLimit: configuration.maxQueuedMessages)
        let router = MessageRouter(registry: registry, broadcaster: broadcaster)
        defer {
            connection.mailbox.finish()
            if registry.remove(connection.id) { broadcaster.changed() }
        }
        connection.mailbox.enqueue(ByteBuffer(bytes: SignalMessage.id(connection.id).json.serializedBytes()))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [broadcaster] in
                while true {
                    let batch = await connection.mailbox.next(currentUserList: { broadcaster.current })
                    if batch.finished { return }
                    for m in batch.messages { try await outbound.write(.custom(.init(fin: true, opcode: .text, data: m))) }
                    if let list = batch.userList { try await outbound.write(.custom(.init(fin: true, opcode: .text, data: list))) }
                    if let close = batch.close {
                        try await outbound.close(close.code, reason: close.reason)
                        return
                    }
                }
            }
            var bucket = TokenBucket(rate: configuration.rateLimitPerSecond, burst: configuration.rateLimitBurst,
                                     nowNs: DispatchTime.now().uptimeNanoseconds)
            var closing = false
            var partial: ByteBuffer?  // a text message arriving in several frames
            for try await frame in inbound {
                guard bucket.take(nowNs: DispatchTime.now().uptimeNanoseconds) else {
                    router.reply(connection, code: "rate-limited",
                                 "more than \(Int(configuration.rateLimitPerSecond)) messages/s; disconnecting")
                    connection.mailbox.close(code: .policyViolation, reason: "rate limit exceeded")
                    closing = true
                    break
                }
                var complete: ByteBuffer?
                switch frame.opcode {
                case .text:
                    if frame.fin { complete = frame.data } else { partial = frame.data }
                case .continuation:
                    guard var p = partial else {
                        connection.mailbox.close(code: .protocolError, reason: "continuation without a first frame")
                        closing = true
                        break
                    }
                    guard p.readableBytes + frame.data.readableBytes <= configuration.maxMessageBytes else {
                        connection.mailbox.close(code: .messageTooLarge,
                                                 reason: "message over \(configuration.maxMessageBytes) bytes")
                        closing = true
                        break
                    }
                    var data = frame.data
                    p.writeBuffer(&data)
                    if frame.fin { complete = p; partial = nil } else { partial = p }
                default:
                    connection.mailbox.close(code: .unacceptableData,
                                             reason: "binary frames are not supported: send JSON text")
                    closing = true
                }
                if closing { break }
                if let complete { _ = router.handle(text: complete, from: connection) }
            }
            if !closing { connection.mailbox.finish() }
            try await group.waitForAll()
        }
    }
}
