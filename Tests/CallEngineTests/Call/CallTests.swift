import Benchmarks
import CallEngine
import Capture
import Foundation
@testable import SDP
import Signaling
@testable import SignalingClient
import Synchronization
import Testing
import TestSupport
import WebRTCTransport

/// One user: a signaling client on the real server, a `Call` fed by it, and every call state it reported.
final class TestPhone: Sendable {
    let client: SignalingClient
    let call: Call
    let signals = EventRecorder.Log()
    final class StateLog: Sendable {
        let items = Mutex<[CallState]>([])
        func append(_ s: CallState) { items.withLock { $0.append(s) } }
        var all: [CallState] { items.withLock { $0 } }
    }
    let states = StateLog()
    /// Injected as the engine's users inject it: the pattern's capture stamps give glass-to-glass latency.
    let latency: TestPatternLatencyProbe
    let tasks: [Task<Void, Never>]

    /// The call's figures with the probe's latency filled in.
    var stats: CallStats {
        var s = call.stats()
        latency.fill(&s)
        return s
    }

    convenience init(_ server: TestServer, _ name: String, autoAnswer: Bool = false) {
        self.init(url: server.url, name, autoAnswer: autoAnswer)
    }

    init(url: String, _ name: String, autoAnswer: Bool = false, reconnect: ReconnectPolicy = ReconnectPolicy(enabled: false),
         ice: IceConfiguration = .loopback) {
        client = SignalingClient(url: url, name: name, logger: quietLogger, reconnect: reconnect)
        let probe = TestPatternLatencyProbe()
        latency = probe
        let options = CallOptions(autoAnswer: autoAnswer,
                                  videoSource: { TestPatternSource(width: 320, height: 240, fps: 15) },
                                  audioSource: { ToneSource() }, videoSinks: [probe],
                                  ice: ice, connectTimeoutSeconds: 15)
        call = Call(signaling: client, options: options, logger: quietLogger)
        let (client, call, signals, states) = (client, call, signals, states)
        tasks = [Task { await call.pump(client.events) { signals.append($0) } },
                 Task { for await s in call.events { states.append(s) } }]
        client.start()
    }

    /// Waits until the call reports `state` (at any point of its history).
    func wait(for state: CallState, timeout: Double = 20) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if states.all.contains(state) { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TimeoutError(description: "\(client.username): no \(state) within \(timeout) s; saw \(states.all)")
    }

    /// Waits until the server's user list (as this client sees it) is `users`, in any order.
    func waitForUsers(_ users: Set<String>) async throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if Set(client.users) == users { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TimeoutError(description: "\(client.username): user list \(client.users), expected \(users)")
    }

    func stop() async {
        call.close()
        await client.stop()
        for t in tasks { t.cancel() }
    }
}

/// Two (or three) `Call`s through the real server on loopback, with the test pattern and tone as media.
@Suite("Calls through the real server", .serialized)
struct CallTests {
    static func phones(_ names: [String], autoAnswer: Bool = false) async throws -> (TestServer, [TestPhone]) {
        let server = try await TestServer.start()
        let phones = names.map { TestPhone(server, $0, autoAnswer: autoAnswer) }
        for p in phones { try await p.waitForUsers(Set(names)) }
        return (server, phones)
    }

    static func stop(_ server: TestServer, _ phones: [TestPhone]) async throws {
        for p in phones { await p.stop() }
        try await server.stop()
    }

    /// Polls until `condition` holds or `seconds` pass.
    static func eventually(_ seconds: Double, _ condition: () -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }

    @Test(arguments: [true, false]) func bobRingsAcceptsAndBothSeeEachOther(callerHangsUp: Bool) async throws {
        let (server, phones) = try await Self.phones(["alice", "bob"])
        let (alice, bob) = (phones[0], phones[1])
        try alice.call.call("bob")
        try await alice.wait(for: .calling("bob"))
        try await bob.wait(for: .ringing("alice"))
        try bob.call.accept()
        try await alice.wait(for: .inCall("bob"))
        try await bob.wait(for: .inCall("alice"))

        // What each user sees: the other's test pattern, decoded, still arriving a second later.
        #expect(try await Self.eventually(15) { alice.call.stats().framesDecoded >= 10 && bob.call.stats().framesDecoded >= 10 })
        let before = (alice.call.stats().framesDecoded, bob.call.stats().framesDecoded)
        try await Task.sleep(for: .seconds(1))
        let a = alice.stats, b = bob.stats
        #expect(a.framesDecoded > before.0 && b.framesDecoded > before.1)
        for s in [a, b] {
            #expect(s.width == 320 && s.height == 240)
            #expect(s.latencySamples > 0 && s.latencyP50Ms != nil)
            #expect(s.setupTimeMs != nil && s.connected)
            #expect(s.audioPacketsReceived > 0 && s.audioPacketsSent > 0 && s.videoFramesSent > 0)
        }
        #expect(a.peer == "bob" && b.peer == "alice")

        let (hanger, other) = callerHangsUp ? (alice, bob) : (bob, alice)
        hanger.call.hangUp()
        try await hanger.wait(for: .ended(.localHangUp))
        try await other.wait(for: .ended(.remoteHangUp))
        #expect(other.call.stats().endReason == CallEndReason.remoteHangUp.description)
        try await Self.stop(server, phones)
    }

    /// Glare: both press call at the same moment. alice (the smaller name) answers bob's offer instead of
    /// waiting for an answer to hers; bob keeps his; the call goes through and nobody sees it fail.
    @Test func bothCallingAtOnceEndsInOneCall() async throws {
        let (server, phones) = try await Self.phones(["alice", "bob"])
        let (alice, bob) = (phones[0], phones[1])
        let errors = Mutex<[String]>([])
        // Each call() holds its phone's queue while it builds and sends the offer, so the other's offer
        // is handled only after it: both are calling when the offers cross.
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            do { try (i == 0 ? alice : bob).call.call(i == 0 ? "bob" : "alice") } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        #expect(errors.withLock { $0 }.isEmpty)
        try await alice.wait(for: .calling("bob"))
        try await bob.wait(for: .calling("alice"))
        try await alice.wait(for: .inCall("bob"))
        try await bob.wait(for: .inCall("alice"))
        #expect(try await Self.eventually(15) { alice.call.stats().framesDecoded >= 5 && bob.call.stats().framesDecoded >= 5 })
        for phone in [alice, bob] {
            #expect(!phone.states.all.contains { if case .ended = $0 { true } else { false } }, "\(phone.states.all)")
        }
        try await Self.stop(server, phones)
    }

    @Test func declineEndsBothSides() async throws {
        let (server, phones) = try await Self.phones(["alice", "bob"])
        let (alice, bob) = (phones[0], phones[1])
        try alice.call.call("bob")
        try await bob.wait(for: .ringing("alice"))
        try bob.call.decline()
        try await bob.wait(for: .ended(.youDeclined))
        try await alice.wait(for: .ended(.declined))
        #expect(!alice.states.all.contains { if case .inCall = $0 { true } else { false } })
        // A new call is possible afterwards.
        try alice.call.call("bob")
        try await bob.wait(for: .ringing("alice"))
        try await Self.stop(server, phones)
    }

    @Test func refusesCallingYourselfAnUnknownUserOrWhileInACall() async throws {
        let (server, phones) = try await Self.phones(["alice", "bob", "carol"])
        let (alice, bob) = (phones[0], phones[1])
        #expect(throws: CallError.callingYourself) { try alice.call.call("alice") }
        #expect(throws: CallError.unknownUser("dave")) { try alice.call.call("dave") }
        #expect(alice.call.state == .idle)
        try alice.call.call("bob")
        #expect(throws: CallError.alreadyInCall("bob")) { try alice.call.call("carol") }
        try await bob.wait(for: .ringing("alice"))
        #expect(throws: CallError.alreadyInCall("alice")) { try bob.call.call("carol") }
        #expect(throws: CallError.noIncomingCall) { try alice.call.accept() }
        #expect(alice.call.state == .calling("bob"))
        try await Self.stop(server, phones)
    }

    @Test func peerLeavingTheUserListEndsACallThatIsNotUpYet() async throws {
        let (server, phones) = try await Self.phones(["alice", "bob"])
        let (alice, bob) = (phones[0], phones[1])
        try alice.call.call("bob")
        try await bob.wait(for: .ringing("alice"))
        // Bob's connection drops while his phone rings: only the user list tells.
        bob.tasks[0].cancel()
        await bob.client.stop()
        try await alice.wait(for: .ended(.peerLeft))
        try await Self.stop(server, phones)
    }

    /// During a call the media path is the witness: a user list without the peer (a stale one, the peer's
    /// server connection alone dropping, or a forged one relayed by a server that allows it) does not end a
    /// call whose media still arrives.
    @Test func aUserListWithoutThePeerDoesNotEndACallWithMedia() async throws {
        let (server, phones) = try await Self.phones(["alice", "bob"], autoAnswer: true)
        let (alice, bob) = (phones[0], phones[1])
        try alice.call.call("bob")
        try await alice.wait(for: .inCall("bob"))
        alice.call.handle(.userList(["alice"]))
        // Bob's signaling connection drops, his media goes on.
        bob.tasks[0].cancel()
        await bob.client.stop()
        try await Task.sleep(for: .seconds(Call.peerLeftMediaGraceSeconds + 1.5))
        #expect(alice.call.state == .inCall("bob"))
        let before = alice.call.stats().framesDecoded
        try await Task.sleep(for: .seconds(1))
        #expect(alice.call.stats().framesDecoded > before)
        // Bob's call closing (DTLS close_notify) ends alice's.
        bob.call.close()
        try await alice.wait(for: .ended(.remoteHangUp))
        try await Self.stop(server, phones)
    }

    @Test func lostServerEndsTheCall() async throws {
        let (server, phones) = try await Self.phones(["alice", "bob"])
        let (alice, bob) = (phones[0], phones[1])
        try alice.call.call("bob")
        try await bob.wait(for: .ringing("alice"))
        try await server.stop()
        try await alice.wait(for: .ended(.serverLost))
        try await bob.wait(for: .ended(.serverLost))
        #expect(throws: CallError.noIncomingCall) { try bob.call.accept() }
        for p in phones { await p.stop() }
    }

    @Test func nullTargetHangUpEndsTheCallOnlyFromThePeer() async throws {
        let (server, phones) = try await Self.phones(["alice", "bob", "carol"], autoAnswer: true)
        let (alice, bob, carol) = (phones[0], phones[1], phones[2])
        try alice.call.call("bob")
        try await alice.wait(for: .inCall("bob"))
        try await bob.wait(for: .inCall("alice"))
        // Carol's browser hangs up its own call: broadcast to everyone, ignored by alice and bob.
        #expect(carol.client.send(.hangUp(name: "carol", target: nil)))
        try await alice.signals.waitFor { $0 == .message(.hangUp(name: "carol", target: nil)) }
        try await bob.signals.waitFor { $0 == .message(.hangUp(name: "carol", target: nil)) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(alice.call.state == .inCall("bob") && bob.call.state == .inCall("alice"))
        // Bob hangs up the way the browser sample does (target null): alice's call ends.
        #expect(bob.client.send(.hangUp(name: "bob", target: nil)))
        try await alice.wait(for: .ended(.remoteHangUp))
        try await Self.stop(server, phones)
    }
}

extension EventRecorder.Log {
    /// Waits for a matching event.
    func waitFor(timeout: Double = 5, _ match: @escaping (SignalingEvent) -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if all.contains(where: match) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TimeoutError(description: "no matching signaling event within \(timeout) s")
    }
}

/// A callee that behaves like the MDN browser sample: answers recvonly, then at once re-offers with its own
/// camera and microphone; media starts once that re-offer is answered.
final class SampleLikeCallee: @unchecked Sendable {
    let client: SignalingClient
    private let queue = DispatchQueue(label: "sample-like callee")
    private var pc: PeerConnection?
    private var media: MediaSession?
    private var caller: String?
    private var connected = false
    private let task: Task<Void, Never>
    let offersSent = Mutex<Int>(0)

    init(_ server: TestServer, _ name: String) {
        let client = SignalingClient(url: server.url, name: name, logger: quietLogger, reconnect: ReconnectPolicy(enabled: false))
        self.client = client
        let box = Box()
        task = Task { for await e in client.events { box.callee?.queue.async { box.callee?.handle(e) } } }
        box.callee = self
        client.start()
    }
    private final class Box: @unchecked Sendable { weak var callee: SampleLikeCallee? }

    var stats: MediaSessionStats? { queue.sync { media?.stats() } }

    private func handle(_ event: SignalingEvent) {
        do {
            switch event {
            case .message(.videoOffer(let m)):
                guard let from = m.name else { return }
                caller = from
                let pc = try PeerConnection(configuration: PeerConnectionConfiguration(ice: .loopback, cname: "sample"))
                self.pc = pc
                pc.setEventHandler { [weak self] e in
                    guard let self else { return }
                    self.queue.async { self.onPeerEvent(e) }
                }
                try pc.setRemoteDescription(m.sdp)
                let answer = try pc.createAnswer()
                try pc.setLocalDescription(answer)
                _ = client.send(.videoAnswer(SessionDescriptionMessage(name: client.username, target: from, sdp: answer)))
                // The sample's negotiationneeded after adding its tracks: a re-offer right behind the answer.
                pc.setLocalTracks(audio: LocalTrack(ssrc: 7001, streamId: "sample", trackId: "sample-audio"),
                                  video: LocalTrack(ssrc: 7002, rtxSsrc: 7003, streamId: "sample", trackId: "sample-video"))
                let reoffer = try pc.createOffer()
                try pc.setLocalDescription(reoffer)
                _ = client.send(.videoOffer(SessionDescriptionMessage(name: client.username, target: from, sdp: reoffer)))
                offersSent.withLock { $0 += 1 }
            case .message(.videoAnswer(let m)):
                try pc?.setRemoteDescription(m.sdp)
                startMediaIfReady()
            case .message(.newIceCandidate(let m)):
                if let c = m.candidate { try pc?.addIceCandidate(c) }
            default: break
            }
        } catch {
            Issue.record("sample-like callee: \(error)")
        }
    }

    private func onPeerEvent(_ e: PeerConnectionEvent) {
        switch e {
        case .iceCandidate(let c):
            _ = client.send(.newIceCandidate(IceCandidateMessage(name: nil, target: caller, candidate: c)))
        case .connectionState(.connected):
            connected = true
            startMediaIfReady()
        default: break
        }
    }

    private func startMediaIfReady() {
        guard connected, media == nil, let pc, pc.signalingState == .stable else { return }
        let session = MediaSession(peerConnection: pc, options: MediaSessionOptions(cname: "sample"))
        do { try session.start(video: TestPatternSource(width: 320, height: 240, fps: 15), audio: ToneSource()) } catch {
            Issue.record("sample-like callee media: \(error)")
        }
        media = session
    }

    func stop() async {
        queue.sync { media?.stop(); pc?.close() }
        await client.stop()
        task.cancel()
    }
}

extension CallTests {
    @Test func callerAppliesTheSamplesRecvonlyAnswerAndReofferInOrder() async throws {
        let server = try await TestServer.start()
        let alice = TestPhone(server, "alice")
        let sample = SampleLikeCallee(server, "browser")
        try await alice.waitForUsers(["alice", "browser"])
        try alice.call.call("browser")
        try await alice.wait(for: .inCall("browser"))
        // Media both ways: alice decodes the browser's pattern (sent only after the re-offer), the browser alice's.
        #expect(try await Self.eventually(15) {
            alice.call.stats().framesDecoded >= 10 && (sample.stats?.inbound("video")?.framesDecoded ?? 0) >= 10
        })
        #expect(sample.offersSent.withLock { $0 } == 1)
        let s = alice.stats
        #expect(s.width == 320 && s.latencySamples > 0)
        #expect(!alice.states.all.contains { if case .ended = $0 { true } else { false } })
        alice.call.hangUp()
        try await alice.wait(for: .ended(.localHangUp))
        await sample.stop()
        await alice.stop()
        try await server.stop()
    }
}
