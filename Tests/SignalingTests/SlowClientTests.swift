import Foundation
import Glibc
import Signaling
import SignalingServer
import Testing

/// A client that completes the WebSocket handshake, logs in, and then never reads: the socket
/// buffers fill up and the server must drop it rather than buffer without bound.
struct StalledClient {
    let fd: Int32

    init(port: Int, name: String) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var rcv: Int32 = 4096  // a small receive window fills fast
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0 else { throw TimeoutError(description: "connect failed") }
        let request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Protocol: json\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        // A masked text frame (mask key 0 leaves the payload as is).
        let payload = Array(#"{"type":"username","name":"\#(name)"}"#.utf8)
        let frame: [UInt8] = [0x81, 0x80 | UInt8(payload.count), 0, 0, 0, 0] + payload
        _ = frame.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    }

    func close() { _ = Glibc.close(fd) }
}

@Suite("A client that stops reading")
struct SlowClientTests {
    @Test func isDisconnectedInsteadOfBufferingWithoutBound() async throws {
        let server = try await TestServer.start {
            $0.maxPendingBytesPerClient = 256 * 1024
            $0.rateLimitPerSecond = 0
        }
        let alice = try await WSTestClient.login(server, as: "alice")
        let stalled = try StalledClient(port: server.port, name: "stalled")
        defer { stalled.close() }
        _ = try await alice.waitFor { $0["users"] == .array(["alice", "stalled"]) }
        let chunk = String(repeating: "x", count: 32 * 1024)
        // Far more than the kernel's socket buffers plus the server's 256 KiB allowance.
        for _ in 0..<400 { alice.send(["type": "bulk", "target": "stalled", "data": .string(chunk)]) }
        _ = try await alice.waitFor(timeout: 20) { $0["users"] == .array(["alice"]) }
        // alice is unaffected.
        alice.send(["type": "message", "text": "still fine"])
        #expect(try await alice.waitFor(timeout: 30) { $0["type"] == "message" }["text"] == "still fine")
        alice.close()
        try await server.stop()
    }
}
