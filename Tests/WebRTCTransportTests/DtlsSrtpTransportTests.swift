import Foundation
import Testing
@testable import WebRTCTransport
import TestSupport

/// Two real transports (libnice + OpenSSL + libsrtp) talking over 127.0.0.1.
@Suite(.serialized) struct DtlsSrtpTransportTests {
    /// A transport dropped without `close()` on a loop it shares: DTLS and SRTP go with a closure run on that
    /// loop, ICE with its own teardown; the loop keeps running and nothing is delivered afterwards.
    @Test func droppedWithoutCloseOnASharedLoopIsFreedOnThatLoop() throws {
        let loop = NetworkLoop(name: "shared-drop-test")
        defer { loop.stop() }
        let fingerprint = "sha-256 " + (0..<32).map { _ in "AB" }.joined(separator: ":")
        let events = TransportTestCollector<TransportEvent>()
        for _ in 0..<5 {
            var t: DtlsSrtpTransport? = try DtlsSrtpTransport(configuration: .loopback, controlling: true, loop: loop)
            t?.setHandlers(TransportHandlers(onEvent: { events.append($0) }))
            t?.gather()
            t?.start(role: .client, remoteFingerprint: fingerprint)
            #expect(loop.sync { true })  // gathering and DTLS set up on the loop
            t = nil
        }
        #expect(loop.sync { true })
        let settled = events.all.count
        Thread.sleep(forTimeInterval: 0.3)
        #expect(events.all.count == settled)
    }

    @Test func loopbackPairConnectsAndCarriesSrtpAndSrtcpBothWays() throws {
        let pair = try TransportPairHarness()
        defer { pair.close() }
        pair.connect()
        #expect(pair.offerer.waitForState(.connected))
        #expect(pair.answerer.waitForState(.connected))
        #expect(pair.offerer.states.first == .connecting)
        #expect(!pair.offerer.candidates.isEmpty)
        #expect(pair.offerer.candidates.allSatisfy { $0.hasPrefix("candidate:") && $0.contains("127.0.0.1") })

        let toAnswerer = (0..<5).map { makeTestRtp(seq: UInt16(100 + $0), payload: Array("frame \($0) from offerer".utf8)) }
        let toOfferer = (0..<5).map { makeTestRtp(seq: UInt16(7000 + $0), ssrc: 42, payload: [UInt8](repeating: UInt8($0), count: 1100)) }
        for p in toAnswerer { #expect(pair.offerer.transport.send(rtp: p)) }
        for p in toOfferer { #expect(pair.answerer.transport.send(rtp: p)) }
        #expect(pair.offerer.transport.send(rtcp: makeTestRtcpRR(ssrc: 1)))
        #expect(pair.answerer.transport.send(rtcp: makeTestRtcpRR(ssrc: 2)))

        #expect(pair.answerer.rtp.wait(seconds: 5) { $0.count == 5 })
        #expect(pair.offerer.rtp.wait(seconds: 5) { $0.count == 5 })
        #expect(pair.answerer.rtp.all == toAnswerer)   // decrypted bytes equal what was sent
        #expect(pair.offerer.rtp.all == toOfferer)
        #expect(pair.answerer.rtcp.wait(seconds: 5) { $0 == [makeTestRtcpRR(ssrc: 1)] })
        #expect(pair.offerer.rtcp.wait(seconds: 5) { $0 == [makeTestRtcpRR(ssrc: 2)] })

        let stats = pair.offerer.transport.stats
        #expect(stats.rtpPacketsSent == 5)
        #expect(stats.rtpPacketsReceived == 5)
        #expect(stats.rtcpPacketsReceived == 1)
        let tag = pair.offerer.transport.srtpProfile == .aes128CmSha1_80 ? 10 : 16  // HMAC-SHA1-80 or GCM tag
        #expect(stats.rtpBytesSent == toAnswerer.reduce(0) { $0 + $1.count + tag })
    }

    @Test func fingerprintMismatchFailsAndDeliversNoMedia() throws {
        let pair = try TransportPairHarness()
        defer { pair.close() }
        let wrong = "sha-256 " + Array(repeating: "AB", count: 32).joined(separator: ":")
        pair.connect(answererSeesFingerprint: wrong)  // the DTLS client checks the server's certificate
        #expect(pair.answerer.waitForState(.failed))
        #expect(!pair.answerer.states.contains(.connected))
        #expect(!pair.answerer.transport.send(rtp: makeTestRtp(seq: 1, payload: [1, 2, 3])))
        // The offerer may finish its half of the handshake; whatever it sends must not be accepted.
        _ = pair.offerer.waitForState(.connected, seconds: 3)
        for seq in 0..<5 { pair.offerer.transport.send(rtp: makeTestRtp(seq: UInt16(seq), payload: [9, 9, 9])) }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(pair.answerer.rtp.all.isEmpty)
    }

    @Test func garbageDatagramsFromAStrangerAreDroppedWithoutHarm() throws {
        let pair = try TransportPairHarness()
        defer { pair.close() }
        pair.connect()
        #expect(pair.answerer.waitForState(.connected))
        #expect(pair.offerer.waitForState(.connected))
        let port = try #require(loopbackPort(in: pair.answerer.candidates))
        var garbage: [[UInt8]] = [[], [0x00, 0x01, 0x00, 0x00], [0x16, 0xfe, 0xfd] + [UInt8](repeating: 7, count: 40),
                                  [0x80, 96] + [UInt8](repeating: 1, count: 60), [0x81, 200, 0, 6] + [UInt8](repeating: 2, count: 30),
                                  [0xff, 0xff, 0xff], [UInt8](repeating: 0x17, count: 1400)]
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50 { garbage.append((0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        sendTestUDP(garbage, toLoopbackPort: port)
        Thread.sleep(forTimeInterval: 0.3)

        let payload = Array("still alive".utf8)
        #expect(pair.offerer.transport.send(rtp: makeTestRtp(seq: 9, payload: payload)))
        #expect(pair.answerer.rtp.wait(seconds: 5) { $0.count == 1 })
        #expect(pair.answerer.rtp.all == [makeTestRtp(seq: 9, payload: payload)])  // nothing of the garbage got through
        #expect(pair.answerer.transport.currentState == .connected)
        // libnice drops datagrams from unknown addresses itself; garbage from the peer's own address reaches
        // the demux, which must drop it by kind and keep the association.
        let before = pair.answerer.transport.stats
        for g in [[0x80, 96] + [UInt8](repeating: 1, count: 60), [0x81, 201] + [UInt8](repeating: 2, count: 30),
                  [0xff, 0xff, 0xff], [0x40, 1, 2], [0x80]] as [[UInt8]] {
            #expect(g.withUnsafeBytes { pair.offerer.transport.ice.send($0) })
        }
        #expect(pair.offerer.transport.send(rtp: makeTestRtp(seq: 10, payload: payload)))
        #expect(pair.answerer.rtp.wait(seconds: 5) { $0.count == 2 })
        let after = pair.answerer.transport.stats
        #expect(after.unknownDatagrams - before.unknownDatagrams == 3)
        #expect(after.srtp.authDrops + after.srtp.otherDrops - before.srtp.authDrops - before.srtp.otherDrops == 2)
        #expect(pair.answerer.rtp.all.last == makeTestRtp(seq: 10, payload: payload))
        #expect(pair.answerer.transport.currentState == .connected)
    }

    @Test func replayedAndTamperedSrtpPacketsAreDroppedAndCounted() throws {
        let pair = try TransportPairHarness()
        defer { pair.close() }
        pair.connect()
        #expect(pair.offerer.waitForState(.connected))
        #expect(pair.answerer.waitForState(.connected))
        let sender = pair.offerer.transport
        // SRTP state is bound to the network loop: protect and send there, as the media path does.
        let protect = { (seq: UInt16, b: UInt8) in sender.loop.sync { sender.protectRtp(makeTestRtp(seq: seq, payload: [b, b, b, b])) } }
        let first = try #require(protect(1, 1))
        var tampered = try #require(protect(2, 2))
        tampered[13] ^= 0x40  // flip a payload bit: the auth tag no longer verifies
        let third = try #require(protect(3, 3))
        for p in [first, first, tampered, third, third] { #expect(sender.loop.sync { sender.sendProtected(p) }) }

        #expect(pair.answerer.rtp.wait(seconds: 5) { $0.count == 2 })
        Thread.sleep(forTimeInterval: 0.2)
        #expect(pair.answerer.rtp.all == [makeTestRtp(seq: 1, payload: [1, 1, 1, 1]), makeTestRtp(seq: 3, payload: [3, 3, 3, 3])])
        let srtp = pair.answerer.transport.stats.srtp
        #expect(srtp.replayDrops == 2)
        #expect(srtp.authDrops == 1)
        #expect(srtp.rtpUnprotected == 2)
    }

    @Test func unansweredHandshakeFailsAfterTheDtlsTimeout() throws {
        let silent = try TransportTestEndpoint(controlling: false)  // ICE answers, DTLS never starts
        defer { silent.transport.close() }
        let quick = try DtlsSrtpTransport(configuration: .loopback, controlling: true, dtlsHandshakeTimeoutMs: 1500)
        defer { quick.close() }
        let events = TransportTestCollector<TransportEvent>()
        quick.setHandlers(TransportHandlers(onEvent: { e in
            events.append(e)
            if case .localCandidate(let c) = e { silent.transport.addRemoteCandidate(c) }
        }))
        silent.transport.setHandlers(TransportHandlers(onEvent: { e in
            if case .localCandidate(let c) = e { quick.addRemoteCandidate(c) }
        }))
        quick.gather()
        silent.transport.gather()
        quick.setRemoteIceParameters(ufrag: silent.transport.localUfrag, password: silent.transport.localPassword)
        silent.transport.setRemoteIceParameters(ufrag: quick.localUfrag, password: quick.localPassword)
        quick.start(role: .client, remoteFingerprint: silent.transport.localFingerprint)
        #expect(events.wait(seconds: 6) { $0.contains(.state(.failed)) })
        #expect(events.all.contains(.state(.connecting)))
        #expect(!events.all.contains(.state(.connected)))
    }

    @Test func lostHandshakeFlightIsRetransmittedByTheTimer() throws {
        let pair = try TransportPairHarness()
        defer { pair.close() }
        let dropped = TransportTestCollector<Int>()
        // Lose the client's first flight (ClientHello): only the retransmission timer (1 s) can recover.
        pair.answerer.transport.dtlsSendFilter = { _ in
            if dropped.all.isEmpty { dropped.append(1); return false }
            return true
        }
        let start = Date()
        pair.connect()
        #expect(pair.answerer.waitForState(.connected, seconds: 10))
        #expect(pair.offerer.waitForState(.connected, seconds: 5))
        #expect(dropped.all.count == 1)
        #expect(Date().timeIntervalSince(start) > 0.9)  // connected only after a retransmission
        #expect(pair.offerer.transport.send(rtp: makeTestRtp(seq: 1, payload: [7])))
        #expect(pair.answerer.rtp.wait(seconds: 5) { $0 == [makeTestRtp(seq: 1, payload: [7])] })
    }

    @Test func closingFromInsideAnEventHandlerIsSafe() throws {
        let pair = try TransportPairHarness()
        defer { pair.answerer.transport.close() }
        let offerer = pair.offerer.transport
        let (events, answerer) = (pair.offerer.events, pair.answerer.transport)
        // Close as soon as we are connected, on the network thread, like a UI hanging up on an event.
        offerer.setHandlers(TransportHandlers(onEvent: { e in
            events.append(e)
            if case .localCandidate(let c) = e { answerer.addRemoteCandidate(c) }
            if e == .state(.connected) { offerer.close() }
        }))
        pair.connect()
        #expect(events.wait(seconds: 10) { $0.contains(.state(.closed)) })
        #expect(pair.answerer.waitForState(.closed, seconds: 5))  // close_notify reached the peer
    }

    @Test func closeReportsClosedToThePeerViaCloseNotify() throws {
        let pair = try TransportPairHarness()
        pair.connect()
        #expect(pair.offerer.waitForState(.connected))
        #expect(pair.answerer.waitForState(.connected))
        pair.offerer.transport.close()
        #expect(pair.offerer.states.last == .closed)
        #expect(pair.answerer.waitForState(.closed, seconds: 5))
        pair.answerer.transport.close()
    }
}
