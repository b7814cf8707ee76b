import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HummingbirdWSClient
import NIOWebSocket
import Signaling
import SignalingServer
import Testing
import TestSupport

@Suite("tuicall serve: the MDN chat-server rules, on loopback")
struct SignalingServerTests {
    @Test func refusesClientsWithoutTheJsonSubprotocol() async throws {
        let server = try await TestServer.start()
        await #expect(throws: (any Error).self) { _ = try await WSTestClient.connect(server, subprotocol: nil) }
        await #expect(throws: (any Error).self) { _ = try await WSTestClient.connect(server, subprotocol: "chat") }
        // The refusal is an HTTP 400 whose body names the remedy.
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/")!)
        for (k, v) in ["Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
                       "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="] { request.setValue(v, forHTTPHeaderField: k) }
        let (body, status) = try await httpGet(request)
        #expect(status == 400)
        #expect(body.contains("subprotocol \"json\""))
        // With json the upgrade succeeds and the first message is the connection id.
        let (client, id) = try await WSTestClient.connect(server)
        #expect(id > 0)
        client.close()
        try await server.stop()
    }

    @Test func healthzAnswersOverPlainHTTPOnTheSamePort() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let (body, status) = try await httpGet(URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/healthz")!))
        #expect(status == 200)
        let health = try JSONParser.parse(body).objectValue
        #expect(health?["status"] == .string("ok"))
        #expect(health?["users"] == .int(1))
        alice.close()
        try await server.stop()
    }

    @Test func loginDuplicateNamesAndUserListOrder() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let bob = try await WSTestClient.login(server, as: "bob")
        _ = try await alice.waitFor { $0["users"] == .array([.string("alice"), .string("bob")]) }
        // Same name again: the server appends a number and says so with rejectusername.
        let (dup, id) = try await WSTestClient.connect(server)
        dup.send(["type": "username", "name": "alice", "id": .int(id)])
        let reject = try await dup.waitFor(type: "rejectusername")
        #expect(reject["name"] == .string("alice1"))
        _ = try await bob.waitFor { $0["users"] == .array([.string("alice"), .string("bob"), .string("alice1")]) }
        // Unlike the original, names clash case-insensitively (they look alike); the spelling is kept.
        let upper = try await WSTestClient.login(server, as: "Alice")
        _ = try await alice.waitFor { $0["users"] == .array(["alice", "bob", "alice1", "Alice2"]) }
        // A disconnect updates everyone's list.
        bob.close()
        _ = try await alice.waitFor { $0["users"] == .array([.string("alice"), .string("alice1"), .string("Alice2")]) }
        // A rename is a second username message.
        alice.send(["type": "username", "name": "carol"])
        _ = try await upper.waitFor { $0["users"] == .array([.string("carol"), .string("alice1"), .string("Alice2")]) }
        for c in [alice, dup, upper] { c.close() }
        try await server.stop()
    }

    /// After a server restart both sides of a surviving call send `call-resume`; the server marks them busy
    /// only when the two claims match, so no one can mark others busy alone.
    @Test func callResumeMarksBothBusyOnlyWhenBothClaimTheCall() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let bob = try await WSTestClient.login(server, as: "bob")
        let carol = try await WSTestClient.login(server, as: "carol")
        func busy(_ m: JSONObject) -> Set<String>? {
            guard m["type"]?.stringValue == "userstatus" else { return nil }
            return Set((m["busy"]?.arrayValue ?? []).compactMap(\.stringValue))
        }
        carol.send(["type": "call-resume", "target": "alice"])
        #expect(try await alice.waitFor(type: "call-resume")["name"] == .string("carol"))
        alice.send(["type": "call-resume", "target": "bob"])
        #expect(try await bob.waitFor(type: "call-resume")["name"] == .string("alice"))
        var statuses: [Set<String>] = []
        let deadline = Date().addingTimeInterval(0.6)
        while let m = try? await carol.next(timeout: max(0.01, deadline.timeIntervalSinceNow)) {
            if let b = busy(m) { statuses.append(b) }
        }
        #expect(statuses.allSatisfy { $0.isEmpty }, "one-sided claims marked \(statuses) busy")
        bob.send(["type": "call-resume", "target": "alice"])
        _ = try await carol.waitFor { busy($0) == ["alice", "bob"] }
        // carol's old claim on alice is gone with the pairing; a hang-up frees both.
        alice.send(["type": "hang-up", "target": "bob"])
        _ = try await carol.waitFor { busy($0) == [] }
        for c in [alice, bob, carol] { c.close() }
        try await server.stop()
    }

    @Test func invalidUsernamesAreRefusedWithAnError() async throws {
        let server = try await TestServer.start()
        let (c, _) = try await WSTestClient.connect(server)
        for bad: JSONValue in [.string("   "), .string(String(repeating: "x", count: 65)), .string("a\u{7}b"), .int(5)] {
            c.send(["type": "username", "name": bad])
            let e = try await c.waitFor(type: "error")
            #expect(e["code"] == .string("invalid-username"))
        }
        c.close()
        try await server.stop()
    }

    @Test func chatIsBroadcastWithServerNameDateAndTagsStripped() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let bob = try await WSTestClient.login(server, as: "bob")
        let before = Int64(Date().timeIntervalSince1970 * 1000)
        alice.send(["type": "message", "text": "<b>hello</b> <script>x()</script>bob", "name": "mallory",
                    "date": .int(0), "id": .int(999)])
        for c in [alice, bob] {
            let m = try await c.waitFor(type: "message")
            #expect(m["text"] == .string("hello x()bob"))
            #expect(m["name"] == .string("alice"))
            let date = Int64(m["date"]?.intValue ?? 0)
            #expect(date >= before && date < before + 60_000)
        }
        alice.close(); bob.close()
        try await server.stop()
    }

    @Test func targetedMessagesReachOnlyTheTargetAndNamesCannotBeSpoofed() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let bob = try await WSTestClient.login(server, as: "bob")
        let carol = try await WSTestClient.login(server, as: "carol")
        let sdp: JSONValue = .object(["type": "offer", "sdp": "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"])
        alice.send(["type": "video-offer", "name": "carol", "target": "bob", "sdp": sdp])
        let offer = try await bob.waitFor(type: "video-offer")
        #expect(offer["name"] == .string("alice"))
        #expect(offer["sdp"] == sdp)
        let candidate: JSONValue = .object(["candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
                                            "sdpMid": "0", "sdpMLineIndex": .int(0), "usernameFragment": "abcd"])
        bob.send(["type": "new-ice-candidate", "target": "alice", "candidate": candidate])
        let c = try await alice.waitFor(type: "new-ice-candidate")
        #expect(c["candidate"] == candidate)
        #expect(c["name"] == .string("bob"))
        // Unknown target: dropped, and the sender is told.
        alice.send(["type": "video-answer", "target": "nobody", "sdp": sdp])
        let e = try await alice.waitFor(type: "error")
        #expect(e["code"] == .string("unknown-target"))
        // Unknown types pass through unchanged apart from the stamped name.
        alice.send(["type": "custom-thing", "target": "bob", "payload": .array([.int(1), .bool(true)])])
        let custom = try await bob.waitFor(type: "custom-thing")
        #expect(custom["payload"] == .array([.int(1), .bool(true)]))
        let carolGot = await carol.drain(for: 0.3)
        #expect(carolGot.isEmpty, "carol received \(carolGot)")
        for c in [alice, bob, carol] { c.close() }
        try await server.stop()
    }

    @Test func hangUpWithNullTargetIsBroadcastToEveryoneSenderIncluded() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let bob = try await WSTestClient.login(server, as: "bob")
        bob.send(["type": "hang-up", "name": "bob", "target": .null])
        for c in [alice, bob] {
            let h = try await c.waitFor(type: "hang-up")
            #expect(h["name"] == .string("bob"))
        }
        alice.close(); bob.close()
        try await server.stop()
    }

    @Test func messagesBeforeLoginGetAnError() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let (anon, _) = try await WSTestClient.connect(server)
        anon.send(["type": "video-offer", "target": "alice", "sdp": .object(["type": "offer", "sdp": "v=0"])])
        let e = try await anon.waitFor(type: "error")
        #expect(e["code"] == .string("not-logged-in"))
        anon.send(["type": "message", "text": "hi"])
        #expect(try await anon.waitFor(type: "error")["code"] == .string("not-logged-in"))
        #expect(await alice.drain(for: 0.3).isEmpty)
        alice.close(); anon.close()
        try await server.stop()
    }

    @Test func badJsonGetsAnErrorAndTheConnectionKeepsWorking() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let cases: [(String, String)] = [("{not json", "invalid-json"), ("[1,2,3]", "not-an-object"),
                                         ("\"text\"", "not-an-object"), ("{\"no\":\"type\"}", "missing-type"),
                                         (String(repeating: "[", count: 10_000), "invalid-json"),
                                         ("{\"type\":\"x\",\"target\":5}", "invalid-target"),
                                         ("{\"type\":\"message\",\"text\":7}", "invalid-message")]
        for (text, code) in cases {
            alice.sendRaw(text)
            let e = try await alice.waitFor(type: "error")
            #expect(e["code"] == .string(code), "for \(text.prefix(20))")
        }
        alice.send(["type": "message", "text": "still here"])
        #expect(try await alice.waitFor(type: "message")["text"] == .string("still here"))
        alice.close()
        try await server.stop()
    }

    @Test func binaryFramesCloseThatConnectionOnlyWithUnsupportedData() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let bob = try await WSTestClient.login(server, as: "bob")
        bob.sendBinary([1, 2, 3])
        let frame = try await bob.closed()
        #expect(frame?.closeCode == .unacceptableData)
        _ = try await alice.waitFor { $0["users"] == .array([.string("alice")]) }
        alice.send(["type": "message", "text": "ok"])
        #expect(try await alice.waitFor(type: "message")["text"] == .string("ok"))
        alice.close()
        try await server.stop()
    }

    @Test func oversizeMessagesCloseWithMessageTooBig() async throws {
        let server = try await TestServer.start { $0.maxMessageBytes = 16 * 1024 }
        let alice = try await WSTestClient.login(server, as: "alice")
        let bob = try await WSTestClient.login(server, as: "bob")
        // Just under the limit is fine; over it closes with 1009.
        bob.send(["type": "message", "text": .string(String(repeating: "a", count: 15 * 1024))])
        #expect(try await alice.waitFor(type: "message")["name"] == .string("bob"))
        bob.send(["type": "message", "text": .string(String(repeating: "a", count: 17 * 1024))])
        let frame = try await bob.closed()
        #expect(frame?.closeCode == .messageTooLarge)
        alice.send(["type": "message", "text": "ok"])
        #expect(try await alice.waitFor(type: "message")["text"] == .string("ok"))
        alice.close()
        try await server.stop()
    }

    @Test func floodsOverTheRateLimitAreDisconnectedWithPolicyViolation() async throws {
        let server = try await TestServer.start { $0.rateLimitPerSecond = 20; $0.rateLimitBurst = 40 }
        let alice = try await WSTestClient.login(server, as: "alice")
        let flooder = try await WSTestClient.login(server, as: "flooder")
        for i in 0..<500 { flooder.send(["type": "ping-flood", "target": .string("nobody-\(i)")]) }
        let e = try await flooder.waitFor { $0["code"] == .string("rate-limited") }
        #expect(e["type"] == .string("error"))
        let frame = try await flooder.closed()
        #expect(frame?.closeCode == .policyViolation)
        // alice is unaffected.
        alice.send(["type": "message", "text": "fine"])
        #expect(try await alice.waitFor(type: "message")["text"] == .string("fine"))
        alice.close()
        try await server.stop()
    }

    @Test func gracefulShutdownSendsCloseFramesAndReleasesThePort() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        try await server.stop()
        let frame = try await alice.closed()
        #expect(frame != nil, "a close frame was expected")
        // The port is free again: a new server binds it.
        let again = try await TestServer.start(port: server.port)
        #expect(again.port == server.port)
        try await again.stop()
    }
}

func httpGet(_ request: URLRequest) async throws -> (String, Int) {
    #if canImport(FoundationNetworking)
    let (data, response) = try await URLSession.shared.data(for: request)
    #else
    let (data, response) = try await URLSession.shared.data(for: request)
    #endif
    return (String(decoding: data, as: UTF8.self), (response as? HTTPURLResponse)?.statusCode ?? 0)
}
