import Foundation
import NetworkProbes
import Signaling
import SignalingServer
import Testing
import TestSupport

/// A client that completes the WebSocket handshake, logs in, and then never reads: the socket
/// buffers fill up and the server must drop it rather than buffer without bound.
struct StalledClient {
    let socket: RawSocket

    init(port: Int, name: String) async throws {
        socket = try RawSocket(port: port, receiveBuffer: 4096)  // a small receive window fills fast
        try await socket.upgrade()
        socket.write(RawSocket.text(#"{"type":"username","name":"\#(name)"}"#))
    }

    func close() { socket.close() }
}

@Suite("A client that stops reading")
struct SlowClientTests {
    @Test func isDisconnectedInsteadOfBufferingWithoutBound() async throws {
        let server = try await TestServer.start {
            $0.maxPendingBytesPerClient = 256 * 1024
            $0.rateLimitPerSecond = 0
        }
        let alice = try await WSTestClient.login(server, as: "alice")
        let stalled = try await StalledClient(port: server.port, name: "stalled")
        defer { stalled.close() }
        _ = try await alice.waitFor { $0["users"] == .array(["alice", "stalled"]) }
        let chunk = String(repeating: "x", count: 32 * 1024)
        // Far more than the kernel's socket buffers plus the server's 256 KiB allowance.
        let start = Date()
        for _ in 0..<400 { alice.send(["type": "bulk", "target": "stalled", "data": .string(chunk)]) }
        // Cut off at once (no close handshake behind the backlog) and off the list.
        _ = try await alice.waitFor(timeout: 10) { $0["users"] == .array(["alice"]) }
        print("a non-reading client left the user list \(Int(Date().timeIntervalSince(start) * 1000)) ms after the flood began")
        // Later messages for it are not lost silently: the sender hears that the target is gone.
        alice.send(["type": "message", "target": "stalled", "text": "are you there?"])
        let e = try await alice.waitFor { $0["type"] == "error" && $0["code"] == "unknown-target" }
        #expect(e["text"]?.stringValue?.contains("stalled") == true)
        // alice is unaffected.
        alice.send(["type": "message", "text": "still fine"])
        #expect(try await alice.waitFor(timeout: 30) { $0["type"] == "message" }["text"] == "still fine")
        alice.close()
        try await server.stop()
    }
}
