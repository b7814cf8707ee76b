import Foundation
import Media
import NetworkEmulator
import Testing
import TestSupport

/// The relay in front of a real coturn: STUN Binding requests through it are answered, with the
/// emulated delay on the way.
@Suite(.serialized)
struct UdpRelayTests {
    /// Sends STUN Binding requests from one socket to 127.0.0.1:`port` every 20 ms for `seconds`;
    /// returns each answered request's round trip in seconds.
    static func bindingRoundTrips(port: UInt16, count: Int) -> [Double] {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 0, tv_usec: 20_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var sentAt: [UInt8: Double] = [:]
        var rtts: [Double] = []
        var buf = [UInt8](repeating: 0, count: 512)
        let now = { Double(MonotonicClock.now()) / 1e9 }
        let deadline = now() + Double(count) * 0.02 + 1
        var sent = 0
        while now() < deadline {
            if sent < count {
                // The last transaction-id byte numbers the request.
                sentAt[UInt8(sent)] = now()  // before the send: the relay may hold it from the moment it is sent
                Loopback.send(fd, StunBinding.request(transactionId: [UInt8](repeating: 7, count: 11) + [UInt8(sent)]), to: port)
                sent += 1
            }
            let n = recv(fd, &buf, buf.count, 0)
            if let id = StunBinding.successTransactionId(buf, count: n),
               let t = sentAt.removeValue(forKey: id.last!) { rtts.append(now() - t) }
        }
        return rtts
    }

    @Test func relaysToCoturnWithTheEmulatedDelayAndLoss() throws {
        let turn = try #require(try TurnServerProcess.start())
        defer { turn.stop() }
        let relay = try UdpRelay(upstreamPort: turn.port, uplink: ImpairmentProfile(delayMs: 40),
                                 downlink: ImpairmentProfile(delayMs: 10))
        defer { relay.stop() }
        let clean = Self.bindingRoundTrips(port: relay.port, count: 20)
        #expect(clean.count == 20)
        #expect(clean.allSatisfy { $0 >= 0.050 }, "round trips \(clean)")
        #expect(Percentiles.median(clean) < 0.080, "round trips \(clean)")
        #expect(relay.peerCount == 1)

        // Half the requests lost on the way up: about half are answered.
        relay.setProfiles(uplink: ImpairmentProfile(loss: .random(0.5)), downlink: .clean)
        let lossy = Self.bindingRoundTrips(port: relay.port, count: 100)
        #expect(lossy.count > 30 && lossy.count < 70, "\(lossy.count) of 100 answered")
        let stats = relay.stats
        #expect(stats.uplink.lossDrops == 100 - lossy.count)
        #expect(stats.downlink.packetsOut == 20 + lossy.count)

        // A blackout answers nothing.
        relay.setProfiles(uplink: ImpairmentProfile(blackout: true), downlink: .clean)
        #expect(Self.bindingRoundTrips(port: relay.port, count: 10).isEmpty)
    }
}
