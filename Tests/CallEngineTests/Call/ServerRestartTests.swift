import CallEngine
import Foundation
import Signaling
import SignalingClient
import Synchronization
import Testing
import TestSupport

/// Media is peer to peer: a call outlives its signaling server. The real `tuicall serve` process is killed
/// (SIGKILL, as in a crash) in the middle of a call and started again on the same port.
@Suite("A call outlives the signaling server", .serialized)
struct ServerRestartTests {
    /// Reconnect fast, so the test waits for the call and not for the back-off.
    static let reconnect = ReconnectPolicy(initialDelay: 0.2, maxDelay: 1, jitter: 0.1)

    final class Notices: Sendable {
        let items = Mutex<[CallNotice]>([])
        var all: [CallNotice] { items.withLock { $0 } }
    }

    @Test func sigkilledServerLeavesTheCallUpAndAHangUpAfterTheRestartEndsBothSides() async throws {
        let server = try ServeProcess.start()
        var restarted: ServeProcess?
        let alice = TestPhone(url: server.url, "alice", reconnect: Self.reconnect)
        let bob = TestPhone(url: server.url, "bob", autoAnswer: true, reconnect: Self.reconnect)
        let notices = (alice: Notices(), bob: Notices())
        let noticeTasks = [(alice, notices.alice), (bob, notices.bob)].map { phone, log in
            Task { for await n in phone.call.notices { log.items.withLock { $0.append(n) } } }
        }
        defer { for t in noticeTasks { t.cancel() } }
        try await alice.waitForUsers(["alice", "bob"])
        try await bob.waitForUsers(["alice", "bob"])
        try alice.call.call("bob")
        try await alice.wait(for: .inCall("bob"))
        try await bob.wait(for: .inCall("alice"))
        #expect(try await CallTests.eventually(15) { alice.call.stats().framesDecoded > 0 && bob.call.stats().framesDecoded > 0 })

        // 5 s of call, SIGKILL, 5 s without a server, restart on the same port, 5 s more: frames per second.
        var perSecond: [(alice: Int, bob: Int)] = []
        var last = (alice.call.stats().framesDecoded, bob.call.stats().framesDecoded)
        var restartIndex = (alice: 0, bob: 0)
        for second in 1...15 {
            try await Task.sleep(for: .seconds(1))
            let now = (alice.call.stats().framesDecoded, bob.call.stats().framesDecoded)
            perSecond.append((now.0 - last.0, now.1 - last.1))
            last = now
            if second == 5 { server.kill() }
            if second == 10 {
                restartIndex = (alice.signals.all.count, bob.signals.all.count)
                restarted = try ServeProcess.start(port: server.port)
            }
        }
        print("frames decoded per second (alice, bob), server killed after 5 s, back after 10 s: \(perSecond)")
        for (i, s) in perSecond.enumerated() {
            #expect(s.alice > 0 && s.bob > 0, "second \(i + 1): \(s.alice) frames at alice, \(s.bob) at bob")
        }
        // Neither side ended the call, each was told the server went away and came back.
        for (phone, log) in [(alice, notices.alice), (bob, notices.bob)] {
            #expect(!phone.states.all.contains { if case .ended = $0 { true } else { false } }, "\(phone.states.all)")
            #expect(log.all.contains(.serverAwayDuringCall(peer: phone === alice ? "bob" : "alice")))
        }

        // Both logged in again under their own names and the restarted server lists them as in a call.
        try await alice.waitForUsers(["alice", "bob"])
        try await bob.waitForUsers(["alice", "bob"])
        #expect(alice.client.username == "alice" && bob.client.username == "bob")
        for (phone, from) in [(alice, restartIndex.alice), (bob, restartIndex.bob)] {
            #expect(try await CallTests.eventually(5) {
                phone.signals.all.dropFirst(from).contains { e in
                    if case .userStatus(let busy) = e { Set(busy) == ["alice", "bob"] } else { false }
                }
            }, "\(phone.client.username) never saw both busy after the restart")
        }
        #expect(try await CallTests.eventually(2) { notices.alice.all.contains(.serverBackDuringCall(peer: "bob")) })
        #expect(try await CallTests.eventually(2) { notices.bob.all.contains(.serverBackDuringCall(peer: "alice")) })

        // A hang-up after the restart still ends the call on both sides, and frees both on the server.
        let afterHangUp = alice.signals.all.count
        bob.call.hangUp()
        try await bob.wait(for: .ended(.localHangUp))
        try await alice.wait(for: .ended(.remoteHangUp))
        #expect(try await CallTests.eventually(5) {
            alice.signals.all.dropFirst(afterHangUp).contains { e in
                if case .userStatus(let busy) = e { busy.isEmpty } else { false }
            }
        })
        await alice.stop()
        await bob.stop()
        restarted?.kill()
    }
}
