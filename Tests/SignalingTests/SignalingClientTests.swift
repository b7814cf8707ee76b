import CallEngine
import Foundation
import Signaling
@testable import SignalingClient
import Synchronization
import Testing
import TestSupport

@Suite("Signaling client against the real server")
struct SignalingClientTests {
    func makeClient(_ server: TestServer, _ name: String) -> (SignalingClient, EventRecorder) {
        let c = SignalingClient(url: server.url, name: name, logger: quietLogger,
                                reconnect: ReconnectPolicy(initialDelay: 0.1, maxDelay: 0.5))
        let r = EventRecorder(c)
        c.start()
        return (c, r)
    }

    @Test func logsInRenamesOnClashAndTracksTheUserList() async throws {
        let server = try await TestServer.start()
        let (alice, aliceEvents) = makeClient(server, "alice")
        try await aliceEvents.waitFor("alice logged in") { $0 == .state(.loggedIn(name: "alice")) }
        let (other, otherEvents) = makeClient(server, "alice")
        try await otherEvents.waitFor("rename") { $0 == .renamed("alice1") }
        try await otherEvents.waitFor("login as alice1") { $0 == .state(.loggedIn(name: "alice1")) }
        #expect(other.username == "alice1")
        try await aliceEvents.waitFor("list of two") { $0 == .userList(["alice", "alice1"]) }
        #expect(alice.users == ["alice", "alice1"])
        #expect(alice.clientID != nil && alice.clientID != other.clientID)
        await other.stop()
        try await aliceEvents.waitFor("list of one after leave") { $0 == .userList(["alice"]) }
        await alice.stop()
        try await server.stop()
    }

    @Test func chatRoundTripsThroughTheServer() async throws {
        let server = try await TestServer.start()
        let (alice, aliceEvents) = makeClient(server, "alice")
        let (bob, bobEvents) = makeClient(server, "bob")
        // Both connect at once, so either may be listed first.
        let both: (SignalingEvent) -> Bool = { if case .userList(let u) = $0 { Set(u) == ["alice", "bob"] } else { false } }
        try await aliceEvents.waitFor("both listed", both)
        try await bobEvents.waitFor("both listed", both)
        #expect(alice.sendChat("hi <i>bob</i>"))
        try await bobEvents.waitFor("chat") { e in
            if case .chat(let m) = e { return m.text == "hi bob" && m.name == "alice" && m.date != nil }
            return false
        }
        await alice.stop(); await bob.stop()
        try await server.stop()
    }

    @Test func callMessagesRoundTripAsTypedValuesWithBrowserFieldShapes() async throws {
        let server = try await TestServer.start()
        let (alice, aliceEvents) = makeClient(server, "alice")
        try await aliceEvents.waitFor { $0 == .state(.loggedIn(name: "alice")) }
        // bob is a raw WebSocket client, so we see the exact JSON alice's client puts on the wire.
        let bob = try await WSTestClient.login(server, as: "bob")
        try await aliceEvents.waitFor { $0 == .userList(["alice", "bob"]) }

        let offer = SessionDescriptionInit(type: .offer, sdp: "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\n")
        #expect(alice.send(.videoOffer(SessionDescriptionMessage(name: "alice", target: "bob", sdp: offer))))
        let wireOffer = try await bob.waitFor(type: "video-offer")
        #expect(wireOffer["sdp"] == .object(["type": "offer", "sdp": .string(offer.sdp)]))
        #expect(wireOffer["target"] == "bob")

        let cand = IceCandidateInit(candidate: "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host",
                                    sdpMid: "1", sdpMLineIndex: 1, usernameFragment: "uf")
        alice.send(.newIceCandidate(IceCandidateMessage(name: nil, target: "bob", candidate: cand)))
        let wireCand = try await bob.waitFor(type: "new-ice-candidate")
        #expect(wireCand["candidate"] == .object(["candidate": .string(cand.candidate), "sdpMid": "1",
                                                  "sdpMLineIndex": 1, "usernameFragment": "uf"]))

        // Messages from a browser-shaped peer arrive typed.
        let answerSDP: JSONValue = .object(["type": "answer", "sdp": "v=0\r\n"])
        bob.send(["type": "video-answer", "name": "bob", "target": "alice", "sdp": answerSDP])
        bob.send(["type": "new-ice-candidate", "target": "alice", "candidate": .object([
            "candidate": "candidate:2 1 udp 1 ::1 9 typ host", "sdpMid": "0", "sdpMLineIndex": 0,
            "usernameFragment": "x"])])
        bob.send(["type": "hang-up", "name": "bob", "target": .null])
        try await aliceEvents.waitFor("answer") {
            $0 == .message(.videoAnswer(SessionDescriptionMessage(
                name: "bob", target: "alice", sdp: SessionDescriptionInit(type: .answer, sdp: "v=0\r\n"))))
        }
        try await aliceEvents.waitFor("candidate") {
            $0 == .message(.newIceCandidate(IceCandidateMessage(name: "bob", target: "alice", candidate: IceCandidateInit(
                candidate: "candidate:2 1 udp 1 ::1 9 typ host", sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "x"))))
        }
        try await aliceEvents.waitFor("hang-up") { $0 == .message(.hangUp(name: "bob", target: nil)) }
        bob.close()
        await alice.stop()
        try await server.stop()
    }

    @Test func reconnectsAndLogsInAgainAfterTheServerRestarts() async throws {
        let server = try await TestServer.start()
        let port = server.port
        let (alice, events) = makeClient(server, "alice")
        try await events.waitFor { $0 == .state(.loggedIn(name: "alice")) }
        try await server.stop()
        let down = try await events.waitFor("disconnect") { if case .state(.disconnected) = $0 { true } else { false } }
        try await events.waitFor(from: down, "backoff") { if case .state(.waitingToReconnect) = $0 { true } else { false } }
        #expect(!alice.send(.chat(ChatMessage(text: "nobody hears this"))))
        // Let at least one reconnect attempt fail before the server returns.
        try await events.waitFor(from: down + 1, "a failed attempt") { e in
            if case .state(.disconnected(let why)) = e { return why.contains("connection refused by 127.0.0.1") }
            return false
        }
        let again = try await TestServer.start(port: port)
        try await events.waitFor(from: down, timeout: 10, "login again") { $0 == .state(.loggedIn(name: "alice")) }
        #expect(alice.users == ["alice"])
        await alice.stop()
        try await again.stop()
    }

    /// A user quitting while the server is away must not wait for the next retry (or a watchdog).
    @Test func stopWhileWaitingToReconnectEndsAtOnce() async throws {
        let server = try await TestServer.start()
        let port = server.port
        try await server.stop()
        let client = SignalingClient(url: "ws://127.0.0.1:\(port)/", name: "alice", logger: quietLogger,
                                     reconnect: ReconnectPolicy(initialDelay: 5, maxDelay: 5))
        let events = EventRecorder(client)
        client.start()
        try await events.waitFor("backoff") { if case .state(.waitingToReconnect) = $0 { true } else { false } }
        let clock = ContinuousClock()
        let took = await clock.measure { await client.stop() }
        // The retry is 5 s away and stop's watchdog fires after 2 s: either would mean stop waited for it.
        #expect(took < .seconds(1), "stop took \(took)")
        try await events.waitFor("stopped") { $0 == .state(.stopped) }
    }
}
