import Foundation
import Testing
@testable import WebRTCTransport
import TestSupport

@Suite struct IceTransportTests {
    /// An agent dropped without `close()` on another thread than its loop: the libnice signals then find an
    /// empty weak target instead of a freed transport, the agent is freed on the loop, and the loop stays healthy.
    @Test func droppedWithoutCloseFreesTheAgentOnItsLoopAndDeliversNothingAfter() throws {
        let loop = NetworkLoop(name: "ice-drop-test")
        defer { loop.stop() }
        let events = TransportTestCollector<IceEvent>()
        for _ in 0..<10 {
            var ice: IceTransport? = try IceTransport(configuration: .loopback, controlling: true, loop: loop,
                                                      onEvent: { events.append($0) }, onPacket: { _ in })
            let before = events.all.count
            ice?.gather()
            #expect(events.wait(seconds: 5) { $0.count > before })  // gathering runs on the loop right now
            ice = nil  // the last reference goes on this thread, while the agent may still be signalling
        }
        #expect(loop.sync { true })
        let settled = events.all.count
        Thread.sleep(forTimeInterval: 0.3)
        #expect(events.all.count == settled, "a dropped transport still delivered events")
    }

    @Test func unreachablePeerReportsFailedAfterTheConnectTimeout() throws {
        var config = IceConfiguration.loopback
        config.connectTimeoutMs = 1000
        let side = try TransportTestEndpoint(configuration: config, controlling: true)
        defer { side.transport.close() }
        side.transport.gather()
        side.transport.setRemoteIceParameters(ufrag: "abcd", password: "0123456789012345678901")
        // Port 9 (discard) on loopback: nothing answers the checks.
        #expect(side.transport.addRemoteCandidate("candidate:1 1 udp 2122260223 127.0.0.1 9 typ host"))
        #expect(side.waitForState(.failed, seconds: 5))
        #expect(!side.states.contains(.connected))
    }

    @Test func candidatesBeforeCredentialsAreQueuedAndTcpOrBadOnesSkipped() throws {
        let pair = try TransportPairHarness()
        defer { pair.close() }
        let (a, b) = (pair.offerer.transport, pair.answerer.transport)
        // Swallow the automatic trickle; deliver candidates by hand before any credentials are known.
        let aCands = TransportTestCollector<String>(), bCands = TransportTestCollector<String>()
        a.setHandlers(TransportHandlers(onEvent: { e in
            pair.offerer.events.append(e)
            if case .localCandidate(let c) = e { aCands.append(c) }
        }))
        b.setHandlers(TransportHandlers(onEvent: { e in
            pair.answerer.events.append(e)
            if case .localCandidate(let c) = e { bCands.append(c) }
        }))
        a.gather()
        b.gather()
        #expect(pair.offerer.events.wait(seconds: 5) { $0.contains(.gatheringComplete) })
        #expect(pair.answerer.events.wait(seconds: 5) { $0.contains(.gatheringComplete) })
        #expect(!a.addRemoteCandidate("candidate:garbage"))
        // An mDNS name that cannot resolve here is skipped (logged), not fatal.
        #expect(a.addRemoteCandidate("candidate:7 1 udp 2122260223 0b7e3c6f-5e7d-4c2a-9d8e-1f2a3b4c5d6e.local 5000 typ host"))
        #expect(a.addRemoteCandidate("candidate:9 1 tcp 1518280447 127.0.0.1 9 typ host tcptype passive"))
        // Chromium appends extensions libnice does not parse; they must not cost the candidate.
        for c in bCands.all { #expect(a.addRemoteCandidate(c + " generation 0 ufrag \(b.localUfrag) network-id 1")) }
        for c in aCands.all { #expect(b.addRemoteCandidate(c + " generation 0 ufrag \(a.localUfrag) network-id 1 network-cost 10")) }
        Thread.sleep(forTimeInterval: 0.1)
        a.setRemoteIceParameters(ufrag: b.localUfrag, password: b.localPassword)
        b.setRemoteIceParameters(ufrag: a.localUfrag, password: a.localPassword)
        a.start(role: .server, remoteFingerprint: b.localFingerprint)
        b.start(role: .client, remoteFingerprint: a.localFingerprint)
        #expect(pair.offerer.waitForState(.connected))
        #expect(pair.answerer.waitForState(.connected))
    }
}
