import CallEngine
import Foundation
import NIOSSL
import Signaling
@testable import SignalingClient
import SignalingServer
import Testing
import TestSupport

@Suite("wss: the server with --tls-cert/--tls-key")
struct TLSTests {
    /// A throwaway self-signed P-256 certificate for 127.0.0.1, made by the openssl CLI.
    static func makeCertificate() throws -> (cert: String, key: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tuicall-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                       "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                       "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw TimeoutError(description: "openssl failed") }
        return (cert, key)
    }

    @Test func clientsConnectOverWssAndVerifyTheCertificate() async throws {
        let (cert, key) = try Self.makeCertificate()
        let server = try await TestServer.start { $0.tlsCertificatePath = cert; $0.tlsKeyPath = key }
        #expect(server.url.hasPrefix("wss://"))
        let url = "wss://localhost:\(server.port)/"
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(cert))
        let client = SignalingClient(url: url, name: "alice", logger: quietLogger, tlsConfiguration: tls)
        let events = EventRecorder(client)
        client.start()
        try await events.waitFor("login over wss") { $0 == .state(.loggedIn(name: "alice")) }
        // A client that does not trust the certificate is refused.
        let untrusting = SignalingClient(url: url, name: "bob", logger: quietLogger,
                                         reconnect: ReconnectPolicy(enabled: false))
        let bobEvents = EventRecorder(untrusting)
        untrusting.start()
        // ... with the reason and the certificate's names, and without retrying (that cannot help).
        try await bobEvents.waitFor("refusal") { e in
            if case .state(.disconnected(let why)) = e { return why.contains("not trusted") && why.contains("localhost") }
            return false
        }
        let retrying = SignalingClient(url: url, name: "bob", logger: quietLogger)
        let retryEvents = EventRecorder(retrying)
        retrying.start()
        try await retryEvents.waitFor("giving up") { e in
            if case .state(.failed(let why)) = e { return why.contains("--ca-file") }
            return false
        }
        #expect(!retryEvents.events.all.contains { if case .state(.waitingToReconnect) = $0 { true } else { false } })
        // --ca-file: trusting the self-signed certificate from a file.
        let trusting = SignalingClient(url: url, name: "carol", logger: quietLogger,
                                       tlsConfiguration: try SignalingClient.tlsConfiguration(trusting: cert))
        let carolEvents = EventRecorder(trusting)
        trusting.start()
        try await carolEvents.waitFor("login with --ca-file") { $0 == .state(.loggedIn(name: "carol")) }
        await retrying.stop(); await trusting.stop()
        #expect(!untrusting.isLoggedIn)
        await client.stop(); await untrusting.stop()
        try await server.stop()
    }

    @Test func wssToAnIPAddressIsRefusedWithAReason() async throws {
        let client = SignalingClient(url: "wss://127.0.0.1:6503/", name: "a", logger: quietLogger)
        let events = EventRecorder(client)
        client.start()
        try await events.waitFor("refusal") { e in
            if case .state(.disconnected(let why)) = e { return why.contains("host name") }
            return false
        }
        await client.stop()
        #expect(SignalingClient.urlProblem("http://x/") != nil)
        #expect(SignalingClient.urlProblem("ws://127.0.0.1:6503/") == nil)
        #expect(SignalingClient.urlProblem("wss://example.org/") == nil)
    }

    @Test func aMissingKeyIsAClearStartupError() async throws {
        var config = SignalingServerConfiguration()
        config.port = 0
        config.tlsCertificatePath = "/nonexistent/cert.pem"
        config.tlsKeyPath = "/nonexistent/key.pem"
        let server = SignalingServer(configuration: config, logger: quietLogger)
        await #expect(throws: SignalingServerError.self) { try await server.run() }
    }
}
