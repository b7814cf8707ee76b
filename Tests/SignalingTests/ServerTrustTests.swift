import Foundation
import Signaling
import SignalingServer
import Testing
import TestSupport

/// `tuicall serve` tried as an attacker would: every test here failed before the server held.
@Suite("tuicall serve under attack: nobody speaks for the server or takes another's name")
struct ServerTrustTests {
    @Test func serverOnlyMessagesAreNeverRelayed() async throws {
        let server = try await TestServer.start()
        let mallory = try await WSTestClient.login(server, as: "mallory")
        let victim = try await WSTestClient.login(server, as: "victim")
        _ = try await mallory.waitFor { $0["users"] == .array(["mallory", "victim"]) }
        let forged: [JSONObject] = [
            ["type": "userlist", "users": ["victim"], "target": "victim"],
            ["type": "rejectusername", "name": "someone", "target": "victim"],
            ["type": "id", "id": 1, "target": "victim"],
            ["type": "error", "text": "your session expired, type your password in chat", "target": "victim"],
            ["type": "userlist", "users": []],  // to everyone
        ]
        for m in forged {
            mallory.send(m)
            let e = try await mallory.waitFor(type: "error")
            #expect(e["code"] == "reserved-type")
        }
        mallory.send(["type": "message", "text": "done"])
        // The victim saw none of it: only the chat line (and no user list without mallory's doing).
        let seen = try await victim.waitFor(type: "message")
        #expect(seen["text"] == "done")
        let rest = await victim.drain(for: 0.3, ignoringUserLists: false)
        #expect(rest.isEmpty, "\(rest)")
        // The victim's name is still its own: an honest caller reaches the victim.
        let honest = try await WSTestClient.login(server, as: "honest")
        honest.send(["type": "video-offer", "target": "victim", "sdp": .object(["type": "offer", "sdp": "v=0"])])
        #expect(try await victim.waitFor(type: "video-offer")["name"] == "honest")
        for c in [mallory, victim, honest] { c.close() }
        try await server.stop()
    }

    @Test func lookAlikeNamesAreRenamedAndInvisibleOnesRefused() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        for (requested, expected) in [("Alice", "Alice1"), ("ａｌｉｃｅ", "ａｌｉｃｅ1"), ("alic\u{0435}", "alic\u{0435}1"),
                                      ("ALICE", "ALICE1")] {
            let (c, id) = try await WSTestClient.connect(server)
            c.send(["type": "username", "name": .string(requested), "id": .int(id)])
            let reject = try await c.waitFor(type: "rejectusername")
            #expect(reject["name"] == .string(expected), "\(requested)")
            c.close()
            // Its name is free again once it leaves.
            _ = try await alice.waitFor { !($0["users"]?.arrayValue ?? []).contains(.string(expected)) && $0["type"] == "userlist" }
        }
        let (c, _) = try await WSTestClient.connect(server)
        for bad in ["alice\u{200B}", "\u{202E}ecilA", "Z" + String(repeating: "\u{0301}", count: 16_000),
                    String(repeating: "é", count: 65)] {
            c.send(["type": "username", "name": .string(bad)])
            let e = try await c.waitFor(type: "error")
            #expect(e["code"] == "invalid-username")
        }
        c.close()
        alice.close()
        try await server.stop()
    }

    @Test func theUserListStaysWithinItsByteBound() async throws {
        let server = try await TestServer.start { $0.maxUserListBytes = 1024 }
        let watcher = try await WSTestClient.login(server, as: "w")
        var clients: [WSTestClient] = []
        var full = false
        for i in 0..<40 where !full {
            let (c, id) = try await WSTestClient.connect(server)
            clients.append(c)
            c.send(["type": "username", "name": .string(String(repeating: "n", count: 60) + "\(i)"), "id": .int(id)])
            let m = try await c.waitFor { $0["type"] == "userlist" || $0["type"] == "error" }
            if m["type"] == "error" {
                #expect(m["code"] == "server-full")
                full = true
            }
        }
        #expect(full)
        let list = try await watcher.waitFor(type: "userlist")
        #expect(JSONValue.object(list).serialized().utf8.count <= 1024)
        for c in clients + [watcher] { c.close() }
        try await server.stop()
    }

    @Test func publicMessagesGoToLoggedInUsersOnly() async throws {
        let server = try await TestServer.start()
        let alice = try await WSTestClient.login(server, as: "alice")
        let (lurker, _) = try await WSTestClient.connect(server)
        alice.send(["type": "message", "text": "for members"])
        _ = try await alice.waitFor(type: "message")
        let lurked = await lurker.drain(for: 0.5, ignoringUserLists: false)
        #expect(lurked.isEmpty, "\(lurked)")
        lurker.close()
        alice.close()
        try await server.stop()
    }

    /// Two senders of 60 KB lines of '<' (the old stripper's worst case) under the rate limit: other users'
    /// chat still arrives at once, and a sender's broadcasts stop at its fan-out budget.
    @Test func costlyChatDoesNotDelayOthers() async throws {
        let server = try await TestServer.start()
        var users: [WSTestClient] = []
        for i in 0..<20 { users.append(try await WSTestClient.login(server, as: "u\(i)")) }
        let attackers = [try await WSTestClient.login(server, as: "x1"), try await WSTestClient.login(server, as: "x2")]
        let line = String(repeating: "<", count: 60_000)
        for _ in 0..<40 { for a in attackers { a.send(["type": "message", "text": .string(line)]) } }
        let limited = try await attackers[0].waitFor(timeout: 10) { $0["code"] == "broadcast-limited" }
        #expect(limited["text"]?.stringValue?.contains("budget") == true)
        let start = Date()
        users[0].send(["type": "message", "text": "hello u1"])
        _ = try await users[1].waitFor(timeout: 10) { $0["type"] == "message" && $0["text"] == "hello u1" }
        let waited = Date().timeIntervalSince(start)
        print("chat delay for others during the flood: \(Int(waited * 1000)) ms")
        #expect(waited < 2)
        for c in users + attackers { c.close() }
        try await server.stop()
    }
}
