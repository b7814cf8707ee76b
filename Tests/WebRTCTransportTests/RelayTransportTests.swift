import Foundation
@testable import SDP
import Testing
@testable import WebRTCTransport
import TestSupport

/// Both sides behind a real coturn on 127.0.0.1: only relayed candidates are gathered and exchanged.
@Suite(.serialized) struct RelayTransportTests {
    /// UDP to the TURN server, and TCP (for networks that let only TCP out).
    @Test(arguments: [false, true])
    func relayOnlyPeersConnectThroughTurnAndCarrySrtp(overTCP: Bool) throws {
        let turn = try #require(try TurnServerProcess.start())
        defer { turn.stop() }
        let config = IceConfiguration(servers: [overTCP ? turn.iceServerTCP : turn.iceServer],
                                      localAddresses: ["127.0.0.1"], relayOnly: true)
        let pair = try TransportPairHarness(configuration: config)
        defer { pair.close() }
        pair.connect()
        #expect(pair.offerer.waitForState(.connected, seconds: 20))
        #expect(pair.answerer.waitForState(.connected, seconds: 20))

        for side in [pair.offerer, pair.answerer] {
            #expect(!side.candidates.isEmpty)
            #expect(side.candidates.allSatisfy { (try? IceCandidate(parsing: $0))?.kind == .relay })
            let pairs = side.events.all.compactMap { if case let .selectedPair(l, r) = $0 { (l, r) } else { nil } }
            #expect(pairs.last.map { $0.0.hasSuffix("relay") } == true)
        }
        let payload = [UInt8](repeating: 0x5A, count: 1000)
        #expect(pair.offerer.transport.send(rtp: makeTestRtp(seq: 1, payload: payload)))
        #expect(pair.answerer.transport.send(rtp: makeTestRtp(seq: 2, payload: payload)))
        #expect(pair.answerer.rtp.wait(seconds: 5) { $0 == [makeTestRtp(seq: 1, payload: payload)] })
        #expect(pair.offerer.rtp.wait(seconds: 5) { $0 == [makeTestRtp(seq: 2, payload: payload)] })
    }

    @Test func wrongTurnPasswordGathersNoRelayCandidate() throws {
        let turn = try #require(try TurnServerProcess.start())
        defer { turn.stop() }
        var server = turn.iceServer
        server.credential = "wrong"
        let side = try TransportTestEndpoint(configuration: IceConfiguration(servers: [server], localAddresses: ["127.0.0.1"], relayOnly: true),
                                    controlling: true)
        defer { side.transport.close() }
        side.transport.gather()
        #expect(side.events.wait(seconds: 10) { $0.contains(.gatheringComplete) })
        #expect(side.candidates.isEmpty)
    }
}
