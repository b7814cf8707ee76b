import Media
import NetworkEmulator
import Testing

/// The impairments one at a time, on packets fed at a fixed pace (sans I/O: times are made up, so the
/// figures are exact for a seed and the tests take no time).
struct LinkEmulatorTests {
    /// Feeds `count` packets of `bytes` every `interval` seconds and collects what comes out, with times.
    static func run(_ link: inout LinkEmulator, count: Int, bytes: Int = 1000, interval: Double = 0.01,
                    tail: Double = 2) -> [(id: Int, sent: Double, at: Double)] {
        var out: [(Int, Double, Double)] = []
        let step = 0.001
        var next = 0
        var t = 0.0
        while next < count || t < Double(count) * interval + tail {
            while next < count, Double(next) * interval <= t {
                var p = [UInt8](repeating: 0, count: bytes)
                withUnsafeBytes(of: UInt32(next).bigEndian) { for (i, b) in $0.enumerated() { p[i] = b } }
                link.send(p, now: t)
                next += 1
            }
            for p in link.due(now: t) {
                let id = Int(p[0]) << 24 | Int(p[1]) << 16 | Int(p[2]) << 8 | Int(p[3])
                out.append((id, Double(id) * interval, t))
            }
            t += step
        }
        return out
    }

    @Test func randomLossDropsItsShare() {
        var link = LinkEmulator(profile: ImpairmentProfile(loss: .random(0.1)), seed: 7)
        let out = Self.run(&link, count: 20_000, interval: 0.0001)
        let lost = 1 - Double(out.count) / 20_000
        #expect(lost > 0.09 && lost < 0.11, "lost \(lost)")
        #expect(link.stats.lossDrops == 20_000 - out.count)
    }

    @Test func burstLossHasItsRateAndMeanBurstLength() {
        var link = LinkEmulator(profile: ImpairmentProfile(loss: .bursts(rate: 0.03, meanBurst: 5)), seed: 11)
        let out = Self.run(&link, count: 100_000, interval: 0.00001)
        var received = Set(out.map(\.id))
        let lost = 1 - Double(received.count) / 100_000
        var bursts: [Int] = []
        var run = 0
        for id in 0..<100_000 {
            if received.remove(id) == nil { run += 1 } else if run > 0 { bursts.append(run); run = 0 }
        }
        let mean = Double(bursts.reduce(0, +)) / Double(bursts.count)
        #expect(lost > 0.024 && lost < 0.036, "lost \(lost)")
        #expect(mean > 4 && mean < 6, "mean burst \(mean) packets over \(bursts.count) bursts")
    }

    @Test func jitterWithoutReorderingKeepsOrderAndItsBounds() {
        var link = LinkEmulator(profile: ImpairmentProfile(delayMs: 50, jitterMs: 20), seed: 3)
        let out = Self.run(&link, count: 2000, interval: 0.02)
        #expect(out.count == 2000)
        #expect(out.map(\.id) == Array(0..<2000))
        let delays = out.map { $0.at - $0.sent }
        // The feed and the polling run in 1 ms steps: up to 2 ms either way.
        #expect(delays.min()! >= 0.030 - 0.002 && delays.max()! <= 0.070 + 0.002, "\(delays.min()!)...\(delays.max()!)")
        let mean = delays.reduce(0, +) / Double(delays.count)
        #expect(mean > 0.048 && mean < 0.056, "mean delay \(mean)")
    }

    @Test func jitterWithReorderingReorders() {
        var link = LinkEmulator(profile: ImpairmentProfile(delayMs: 50, jitterMs: 20, reorder: true), seed: 3)
        let out = Self.run(&link, count: 2000, interval: 0.005)
        #expect(out.count == 2000)
        let overtaken = zip(out, out.dropFirst()).filter { $0.0.id > $0.1.id }.count
        #expect(overtaken > 100, "only \(overtaken) packets came early")
    }

    @Test func aRateCapPacesAndItsQueueDropsTheRest() throws {
        // 2 Mbit/s offered (1000 B every 4 ms) into a 500 kbit/s link with a 100 ms queue.
        var link = LinkEmulator(profile: ImpairmentProfile(rateBitsPerSecond: 500_000, queueMs: 100), seed: 1)
        let out = Self.run(&link, count: 1000, interval: 0.004, tail: 1)
        let span = out.last!.at - out.first!.at
        let rate = Double((out.count - 1) * 8000) / span
        #expect(rate > 480_000 && rate < 520_000, "delivered \(rate) bit/s")
        #expect(link.stats.queueDelayMax <= 0.1 + 1e-9)
        let dropped = Double(link.stats.queueDrops) / 1000
        #expect(dropped > 0.7 && dropped < 0.8, "queue dropped \(dropped)")
        // The queue is full almost all the time: nearly every packet waits its ~100 ms.
        let delays = link.stats.queueDelays
        #expect(delays.total == 1000 - link.stats.queueDrops)
        let p95 = try #require(delays.percentileMs(0.95)), p50 = try #require(delays.percentileMs(0.5))
        #expect(p95 > 95 && p95 <= 105 && p50 > 90, "queue p50 \(p50) ms, p95 \(p95) ms")
        #expect(delays.since(delays).percentileMs(0.95) == nil, "an empty window has no percentile")
    }

    @Test func duplicationAndBlackout() {
        var dup = LinkEmulator(profile: ImpairmentProfile(duplicate: 0.1), seed: 5)
        let twice = Self.run(&dup, count: 10_000, interval: 0.0001)
        #expect(twice.count > 10_800 && twice.count < 11_200, "\(twice.count)")
        var dark = LinkEmulator(profile: ImpairmentProfile(blackout: true), seed: 5)
        #expect(Self.run(&dark, count: 100).isEmpty)
        #expect(dark.stats.blackoutDrops == 100)
        // Light again: the next packets pass.
        dark.setProfile(.clean)
        dark.send([1, 2, 3], now: 10)
        #expect(dark.due(now: 10) == [[1, 2, 3]])
    }

    @Test func profilesSayWhatTheyDo() {
        #expect(ImpairmentProfile.clean.description == "clean")
        let p = ImpairmentProfile(loss: .random(0.1), delayMs: 50, jitterMs: 20, rateBitsPerSecond: 500_000)
        #expect(p.description == "loss 10%, delay 50 ± 20 ms, cap 500 kbit/s, queue 100 ms")
        #expect(LossModel.bursts(rate: 0.03, meanBurst: 5).description.contains("3% in all"))
    }
}

/// The command line's profiles: what a user types, and clear errors for what it cannot mean.
struct ImpairmentSpecTests {
    @Test func parsesWhatTheScenariosUse() throws {
        #expect(try ImpairmentProfile(spec: "loss=10%,delay=50ms,jitter=20ms")
                == ImpairmentProfile(loss: .random(0.1), delayMs: 50, jitterMs: 20))
        #expect(try ImpairmentProfile(spec: "rate=500k,queue=100ms") == ImpairmentProfile(rateBitsPerSecond: 500_000, queueMs: 100))
        #expect(try ImpairmentProfile(spec: "rate=2M") == ImpairmentProfile(rateBitsPerSecond: 2_000_000))
        #expect(try ImpairmentProfile(spec: "burst=3%/5") == ImpairmentProfile(loss: .bursts(rate: 0.03, meanBurst: 5)))
        #expect(try ImpairmentProfile(spec: "delay=0.1s, jitter=5, reorder, duplicate=0.01")
                == ImpairmentProfile(delayMs: 100, jitterMs: 5, reorder: true, duplicate: 0.01))
        #expect(try ImpairmentProfile(spec: "blackout") == ImpairmentProfile(blackout: true))
        #expect(try ImpairmentProfile(spec: "") == .clean)
        #expect(try ImpairmentProfile(spec: "clean") == .clean)
    }

    @Test func refusesWhatItCannotMean() {
        for (spec, says) in [("loss=150%", "over 100%"), ("loss", "needs a value"), ("delay=soon", "not a time"),
                             ("rate=12", "at least 1 kbit/s"), ("burst=3%", "rate/mean burst"), ("latency=5ms", "unknown impairment")] {
            #expect {
                _ = try ImpairmentProfile(spec: spec)
            } throws: { error in
                "\(error)".contains(says)
            }
        }
    }
}
