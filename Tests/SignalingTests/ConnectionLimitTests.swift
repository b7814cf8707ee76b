import Foundation
import NetworkProbes
import Signaling
import SignalingServer
import Testing
import TestSupport

/// TCP and WebSocket abuse: connections that never upgrade, too many from one address, frames that
/// break RFC 6455. The server closes them and keeps serving everyone else.
@Suite("tuicall serve: connection limits and WebSocket protocol errors")
struct ConnectionLimitTests {
    @Test func connectionsThatNeverUpgradeAreClosed() async throws {
        let server = try await TestServer.start { $0.upgradeTimeoutSeconds = 1 }
        let idle = try RawSocket(port: server.port)
        let half = try RawSocket(port: server.port)
        half.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        let slowloris = try RawSocket(port: server.port)
        let start = Date()
        // A slowloris keeps sending header bytes; the deadline counts from the connection, not the last byte.
        var slowClosed = false
        for byte in "GET / HTTP/1.1\r\nX-A: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".utf8 {
            slowloris.write([byte])
            if await slowloris.read(for: 0.1).closed { slowClosed = true; break }
        }
        #expect(slowClosed)
        #expect(await idle.read(for: 3).closed)
        #expect(await half.read(for: 3).closed)
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(server.server.tcpCounts.expired >= 3)
        // A WebSocket is not cut off by the deadline.
        let alice = try await WSTestClient.login(server, as: "alice")
        try await Task.sleep(for: .seconds(1.5))
        alice.send(["type": "message", "text": "still here"])
        #expect(try await alice.waitFor(type: "message")["text"] == "still here")
        for s in [idle, half, slowloris] { s.close() }
        alice.close()
        try await server.stop()
    }

    @Test func connectionsPerAddressAreLimitedAndRefusedCleanly() async throws {
        let server = try await TestServer.start { $0.maxConnectionsPerAddress = 4; $0.upgradeTimeoutSeconds = 30 }
        var held: [RawSocket] = []
        for _ in 0..<4 { held.append(try RawSocket(port: server.port)) }
        try await Task.sleep(for: .milliseconds(200))
        // The fifth is accepted and answered with a 503 at once, then closed.
        let fifth = try RawSocket(port: server.port)
        let (bytes, closed) = await fifth.read(for: 3)
        #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 503"))
        #expect(closed)
        fifth.close()
        #expect(server.server.tcpCounts.refused >= 1)
        // Closing one makes room again.
        held.removeFirst().close()
        try await Task.sleep(for: .milliseconds(200))
        let alice = try await WSTestClient.login(server, as: "alice")
        alice.close()
        for s in held { s.close() }
        try await server.stop()
    }

    @Test func unmaskedClientFramesCloseWith1002() async throws {
        let server = try await TestServer.start()
        let s = try RawSocket(port: server.port)
        try await s.upgrade()
        s.write(RawSocket.text(#"{"type":"username","name":"raw"}"#, masked: false))
        let (bytes, _) = await s.read(for: 5) { RawSocket.closeCode(in: $0) != nil }
        #expect(RawSocket.closeCode(in: bytes) == 1002)
        s.close()
        try await server.stop()
    }

    @Test func aNewTextFrameInsideAFragmentedMessageClosesWith1002() async throws {
        let server = try await TestServer.start()
        let s = try RawSocket(port: server.port)
        try await s.upgrade()
        s.write(RawSocket.text(#"{"type":"user"#, fin: false))
        s.write(RawSocket.text(#"{"type":"username","name":"x"}"#))
        let (bytes, _) = await s.read(for: 5) { RawSocket.closeCode(in: $0) != nil }
        #expect(RawSocket.closeCode(in: bytes) == 1002)
        s.close()
        // A correctly fragmented message still works.
        let ok = try RawSocket(port: server.port)
        try await ok.upgrade()
        ok.write(RawSocket.text(#"{"type":"username","#, fin: false))
        ok.write(RawSocket.frame(opcode: 0x0, Array(#""name":"frag"}"#.utf8)))
        let (reply, closed) = await ok.read(for: 5) { String(decoding: $0, as: UTF8.self).contains("frag") }
        #expect(String(decoding: reply, as: UTF8.self).contains(#""users":["frag"]"#))
        #expect(!closed)
        ok.close()
        try await server.stop()
    }
}

@Suite("tuicall serve --token-file: only clients with a token log in")
struct AccessTokenTests {
    @Test func tokensAreRequiredCheckedAndLimited() async throws {
        let server = try await TestServer.start { $0.accessTokens = AccessTokens(secrets: ["s3cret-one", "two"]) }
        let (c, id) = try await WSTestClient.connect(server)
        c.send(["type": "username", "name": "alice", "id": .int(id)])
        #expect(try await c.waitFor(type: "error")["code"] == "token-required")
        c.send(["type": "username", "name": "alice", "token": "s3cret-on"])
        #expect(try await c.waitFor(type: "error")["code"] == "bad-token")
        c.send(["type": "username", "name": "alice", "token": "s3cret-one"])
        _ = try await c.waitFor { $0["users"] == .array(["alice"]) }
        // Guessing: the third wrong token closes the connection.
        let (g, _) = try await WSTestClient.connect(server)
        for guess in ["a", "b", "c"] { g.send(["type": "username", "name": "guesser", "token": .string(guess)]) }
        #expect(try await g.closed()?.closeCode == .policyViolation)
        c.close()
        try await server.stop()
    }

    @Test func comparisonIsExact() {
        let t = AccessTokens(secrets: ["abc", "longer-secret"])
        #expect(t.accepts("abc"))
        #expect(t.accepts("longer-secret"))
        for wrong in ["", "ab", "abcd", "ABC", "longer-secreT", "abc\0"] { #expect(!t.accepts(wrong)) }
    }
}
