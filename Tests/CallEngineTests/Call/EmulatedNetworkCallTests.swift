import CallEngine
import Foundation
import NetworkEmulator
import Testing
import TestSupport
import WebRTCTransport

/// A call whose media crosses the network emulator: both phones use relay candidates only, through the
/// emulator, in front of a real coturn. The emulator's counters prove the media took that path.
@Suite(.serialized)
struct EmulatedNetworkCallTests {
    @Test func aCallThroughTheEmulatorAndCoturnCarriesVideoDespiteLoss() async throws {
        let turn = try #require(try TurnServerProcess.start())
        defer { turn.stop() }
        let relay = try UdpRelay(upstreamPort: turn.port, uplink: ImpairmentProfile(loss: .random(0.05), delayMs: 20, jitterMs: 5))
        defer { relay.stop() }
        let ice = IceConfiguration(servers: [IceServer(urls: ["turn:127.0.0.1:\(relay.port)"], username: TurnServerProcess.user,
                                                       credential: TurnServerProcess.password)],
                                   localAddresses: ["127.0.0.1"], relayOnly: true)
        let server = try await TestServer.start()
        let alice = TestPhone(url: server.url, "alice", ice: ice)
        let bob = TestPhone(url: server.url, "bob", autoAnswer: true, ice: ice)
        try await alice.waitForUsers(["alice", "bob"])
        try alice.call.call("bob")
        try await alice.wait(for: .inCall("bob"))
        try await bob.wait(for: .inCall("alice"))
        #expect(try await CallTests.eventually(15) { alice.call.stats().framesDecoded >= 30 && bob.call.stats().framesDecoded >= 30 })
        let stats = relay.stats
        print("through the emulator: \(relay.peerCount) peers, uplink \(stats.uplink), downlink \(stats.downlink)")
        #expect(relay.peerCount == 2)
        #expect(stats.uplink.packetsIn > 200 && stats.uplink.lossDrops > 0)
        #expect(stats.downlink.packetsOut > 200)
        for phone in [alice, bob] {
            let s = phone.call.stats()
            #expect(s.media.inbound.contains { $0.packetsLost > 0 }, "\(phone.client.username) saw no loss: \(s.media.inbound)")
        }
        await alice.stop()
        await bob.stop()
        try await server.stop()
    }
}
