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
    /// alice calls bob, both with relay candidates only, through `relay`.
    static func call(through relay: UdpRelay) async throws -> (TestServer, TestPhone, TestPhone) {
        let ice = IceConfiguration(servers: [IceServer(urls: ["turn:127.0.0.1:\(relay.port)"], username: TurnServerProcess.user,
                                                       credential: TurnServerProcess.password)],
                                   localAddresses: ["127.0.0.1"], relayOnly: true)
        let server = try await TestServer.start()
        let alice = TestPhone(url: server.url, "alice", ice: ice)
        let bob = TestPhone(url: server.url, "bob", autoAnswer: true, ice: ice)
        try await alice.waitForUsers(["alice", "bob"])
        try alice.call.call("bob")
        return (server, alice, bob)
    }

    @Test func aCallThroughTheEmulatorAndCoturnCarriesVideoDespiteLoss() async throws {
        let turn = try #require(try TurnServerProcess.start())
        defer { turn.stop() }
        let relay = try UdpRelay(upstreamPort: turn.port, uplink: ImpairmentProfile(loss: .random(0.05), delayMs: 20, jitterMs: 5))
        defer { relay.stop() }
        let (server, alice, bob) = try await Self.call(through: relay)
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

    /// A 2 s blackout of both directions: each side records one long freeze that ends (video back) after the
    /// blackout does, and counts the silent time as concealed audio, as getStats does.
    @Test func aBlackoutIsOneLongFreezeAndConcealedAudioOnBothSides() async throws {
        let turn = try #require(try TurnServerProcess.start())
        defer { turn.stop() }
        let relay = try UdpRelay(upstreamPort: turn.port)
        defer { relay.stop() }
        let (server, alice, bob) = try await Self.call(through: relay)
        #expect(try await CallTests.eventually(15) { alice.call.stats().framesDecoded >= 30 && bob.call.stats().framesDecoded >= 30 })
        func audio(_ p: TestPhone) -> InboundStreamStats? { p.call.stats().media.inbound("audio") }
        let concealedBefore = [alice, bob].map { audio($0)?.audioFramesConcealed ?? 0 }
        relay.setProfiles(uplink: ImpairmentProfile(blackout: true), downlink: .clean)
        try await Task.sleep(for: .seconds(2))
        relay.setProfiles(uplink: .clean, downlink: .clean)
        let backUnixMs = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(try await CallTests.eventually(10) {
            [alice, bob].allSatisfy { ($0.call.stats().media.inbound("video")?.longFreezes.last?.endUnixMs ?? 0) > backUnixMs }
        })
        for (phone, before) in zip([alice, bob], concealedBefore) {
            let video = try #require(phone.call.stats().media.inbound("video"))
            let freeze = try #require(video.longFreezes.last)
            print("\(phone.client.username): freeze \(Int(freeze.durationMs)) ms, video back \(freeze.endUnixMs - backUnixMs) ms "
                  + "after the blackout; \(video.longFreezeCount) long freezes")
            #expect(video.longFreezeCount == 1 && freeze.durationMs >= 1_900 && freeze.durationMs < 5_000)
            let concealed = (audio(phone)?.audioFramesConcealed ?? 0) - before
            #expect(concealed >= 90, "2 s of silence is ~100 concealed 20 ms slots; \(phone.client.username) counted \(concealed)")
        }
        await alice.stop()
        await bob.stop()
        try await server.stop()
    }

    /// Both phones behind a 300 kbit/s uplink: transport-cc feedback flows, each sender's delay-based estimate
    /// settles below the cap, and the picture steps down from its full size; lifted, the estimate grows and the
    /// picture steps back up.
    @Test func aThinLinkLowersTheResolutionAndALiftedOneRestoresIt() async throws {
        let turn = try #require(try TurnServerProcess.start())
        defer { turn.stop() }
        let relay = try UdpRelay(upstreamPort: turn.port)
        defer { relay.stop() }
        let (server, alice, bob) = try await Self.call(through: relay)
        func video(_ p: TestPhone) -> (inbound: InboundStreamStats?, estimate: Int?, feedback: Int) {
            let s = p.call.stats().media
            return (s.inbound("video"), s.availableOutgoingBitrate, s.transportFeedbackReceived)
        }
        #expect(try await CallTests.eventually(15) { [alice, bob].allSatisfy { video($0).inbound?.framesDecoded ?? 0 > 15 } })
        let fullWidth = try #require(video(alice).inbound?.width)
        #expect(fullWidth >= 320 && video(bob).inbound?.width == fullWidth)
        relay.setProfiles(uplink: ImpairmentProfile(rateBitsPerSecond: 300_000, queueMs: 100), downlink: .clean)
        #expect(try await CallTests.eventually(30) {
            [alice, bob].allSatisfy { p in
                let v = video(p)
                return (v.inbound?.width ?? fullWidth) < fullWidth && (v.estimate ?? .max) < 300_000
            }
        })
        for p in [alice, bob] {
            let v = video(p)
            print("capped: \(p.client.username) receives \(v.inbound?.width ?? 0)x\(v.inbound?.height ?? 0) of \(fullWidth) "
                  + "wide, sends at an estimate of \(v.estimate ?? 0) bit/s from \(v.feedback) feedback packets")
            #expect(v.feedback > 10)
        }
        relay.setProfiles(uplink: .clean, downlink: .clean)
        #expect(try await CallTests.eventually(45) { [alice, bob].allSatisfy { video($0).inbound?.width == fullWidth } })
        for p in [alice, bob] {
            print("lifted: \(p.client.username) receives \(video(p).inbound?.width ?? 0) wide, estimate \(video(p).estimate ?? 0)")
        }
        await alice.stop()
        await bob.stop()
        try await server.stop()
    }
}
