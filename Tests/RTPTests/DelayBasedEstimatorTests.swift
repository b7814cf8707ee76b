@testable import RTP
import Testing

/// The send side of transport-cc: history → packet results, the GCC pieces, the pacer, and the whole loop
/// against a simulated bottleneck (simulated time: deterministic, no sleeps).
struct DelayBasedEstimatorTests {
    static let ms: UInt64 = 1_000_000

    @Test func feedbackTurnsIntoSendTimesSizesAndArrivals() {
        var h = TransportSendHistory()
        let first = h.nextSequenceNumber()
        h.onSent(sequenceNumber: first, bytes: 1_000, nowNs: 100 * Self.ms)
        let second = h.nextSequenceNumber()
        h.onSent(sequenceNumber: second, bytes: 500, nowNs: 105 * Self.ms)
        let third = h.nextSequenceNumber()
        h.onSent(sequenceNumber: third, bytes: 700, nowNs: 110 * Self.ms)
        #expect(second == first &+ 1 && third == first &+ 2)
        let fb = TransportFeedback(senderSsrc: 1, mediaSsrc: 2, baseSequenceNumber: first, referenceTime: 2,
                                   feedbackCount: 0, deltas: [8, nil, 40, 4])  // the 4th was never sent
        let results = h.results(for: fb)
        #expect(results == [PacketResult(sendNs: 100 * Self.ms, arrivalUs: 130_000, bytes: 1_000),
                            PacketResult(sendNs: 105 * Self.ms, arrivalUs: nil, bytes: 500),
                            PacketResult(sendNs: 110 * Self.ms, arrivalUs: 140_000, bytes: 700)])
        #expect(h.unknownResults == 1)
        // A received packet is reported once; a lost one may still arrive later.
        let again = TransportFeedback(senderSsrc: 1, mediaSsrc: 2, baseSequenceNumber: first, referenceTime: 3,
                                      feedbackCount: 1, deltas: [4, 4])
        #expect(h.results(for: again) == [PacketResult(sendNs: 105 * Self.ms, arrivalUs: 194_000, bytes: 500)])
    }

    @Test func packetsWithin5msFormOneGroup() {
        var a = InterArrival()
        // Three 5 ms groups of two packets, each group arriving 2 ms later than it was sent apart.
        var out: [InterArrival.Deltas] = []
        for g in 0..<4 {
            for p in 0..<2 {
                let send = Int64(g * 10_000 + p * 1_000), arrival = Int64(g * 12_000 + p * 1_000 + 50_000)
                if let d = a.add(sendUs: send, arrivalUs: arrival, localUs: arrival, bytes: 1_000) { out.append(d) }
            }
        }
        #expect(out == [InterArrival.Deltas(sendUs: 10_000, arrivalUs: 12_000, bytes: 0),
                        InterArrival.Deltas(sendUs: 10_000, arrivalUs: 12_000, bytes: 0)])
    }

    @Test func aGrowingDelayIsOveruseAndAShrinkingOneUnderuse() {
        func run(extraMsPerGroup: Double) -> BandwidthUsage {
            var t = TrendlineEstimator()
            var arrival = 0.0
            for _ in 0..<60 {
                arrival += 10 + extraMsPerGroup
                t.update(arrivalDeltaMs: 10 + extraMsPerGroup, sendDeltaMs: 10, arrivalMs: arrival)
            }
            return t.state
        }
        #expect(run(extraMsPerGroup: 0) == .normal)
        #expect(run(extraMsPerGroup: 2) == .overusing)
        #expect(run(extraMsPerGroup: -2) == .underusing)
    }

    @Test func aimdCutsToTheAcknowledgedRateAndGrowsEightPercentPerSecond() {
        var r = AimdRateControl(startBitrate: 500_000, minBitrate: 100_000, maxBitrate: 2_000_000)
        r.update(.normal, acknowledgedBps: 500_000, nowNs: 0)
        #expect(r.update(.normal, acknowledgedBps: 500_000, nowNs: 1_000 * Self.ms) == 541_080)
        #expect(r.update(.overusing, acknowledgedBps: 400_000, nowNs: 1_100 * Self.ms) == 340_000)
        #expect(r.state == .hold && r.link.estimateKbps == 400)
        #expect(r.update(.underusing, acknowledgedBps: 300_000, nowNs: 1_200 * Self.ms) == 340_000, "hold")
        r.update(.normal, acknowledgedBps: 340_000, nowNs: 1_300 * Self.ms)
        // Near the last overuse's rate: additive, about one packet per RTT + 100 ms.
        let additive = r.update(.normal, acknowledgedBps: 340_000, nowNs: 2_300 * Self.ms) - 340_000
        #expect((4_000...40_000).contains(additive))
        // Never above 1.5 × acknowledged + 10 kbit/s (an encoder that sends less does not inflate it).
        var idle = AimdRateControl(startBitrate: 1_000_000, minBitrate: 100_000, maxBitrate: 2_000_000)
        for i in 0..<30 { idle.update(.normal, acknowledgedBps: 200_000, nowNs: UInt64(i) * 1_000 * Self.ms) }
        #expect(idle.bitrate == 1_000_000)
        #expect(r.mayReduceFurther(acknowledgedBps: 300_000, nowNs: 2_300 * Self.ms + 1) == false)
        #expect(r.mayReduceFurther(acknowledgedBps: 100_000, nowNs: 2_300 * Self.ms + 1), "acked below half")
    }

    @Test func thePacerSpreadsAKeyframeAndDrainsWithinHalfASecond() {
        var p = Pacer<Int>(targetBitrate: 500_000)
        for i in 0..<25 { p.enqueue(i, bytes: 1_200, nowNs: 0) }  // a 30 kB keyframe
        var sentAt: [UInt64] = []
        var t: UInt64 = 0
        while !p.isEmpty {
            for _ in p.dequeue(nowNs: t) { sentAt.append(t) }
            t += 5 * Self.ms
        }
        // 30 kB at 2.5 × 500 kbit/s takes ~192 ms, not one burst.
        #expect(sentAt.count == 25 && (150 * Self.ms...230 * Self.ms).contains(sentAt.last!))
        var slow = Pacer<Int>(targetBitrate: 10_000)
        for i in 0..<100 { slow.enqueue(i, bytes: 1_200, nowNs: 0) }
        t = 0
        var last: UInt64 = 0
        while !slow.isEmpty {
            if !slow.dequeue(nowNs: t).isEmpty { last = t }
            t += 5 * Self.ms
        }
        #expect(last <= 600 * Self.ms, "a queue older than 500 ms drains faster than the rate")
    }

    /// A sender at the estimate, through a drop-tail bottleneck, with real feedback from the receiver's generator:
    /// the estimate settles below the capacity with a short queue, and grows after the capacity rises.
    @Test func theLoopSettlesBelowACapAndGrowsWhenItLifts() {
        var sim = BottleneckSimulation(capacityBps: 500_000)
        sim.run(untilMs: 20_000)
        let capped = sim.estimates(fromMs: 10_000, toMs: 20_000)
        #expect(capped.max()! <= 600_000 && capped.min()! >= 250_000, "estimate \(capped.min()!)…\(capped.max()!)")
        #expect(sim.queueDelayP95Ms(fromMs: 10_000) <= 200, "queue p95 \(sim.queueDelayP95Ms(fromMs: 10_000)) ms")
        sim.capacityBps = 2_000_000
        sim.run(untilMs: 45_000)
        #expect(sim.estimate >= 1_000_000, "estimate \(sim.estimate) 25 s after the cap lifted")
    }
}

/// Simulated time, 1 ms steps: 30 fps frames of estimate/30 bytes, paced, through a FIFO link of `capacityBps`
/// with a 100 ms drop-tail queue and 20 ms propagation each way, feedback every 100 ms.
struct BottleneckSimulation {
    var capacityBps: Int
    private(set) var estimator = DelayBasedBandwidthEstimator(startBitrate: 300_000)
    private var history = TransportSendHistory()
    private var generator = TransportFeedbackGenerator()
    private var pacer = Pacer<(seq: UInt16, bytes: Int)>(targetBitrate: 300_000)
    private var linkFreeAtNs: UInt64 = 0
    private var inFlight: [(arrivalNs: UInt64, seq: UInt16)] = []
    private var feedbackInFlight: [(atNs: UInt64, feedback: TransportFeedback)] = []
    private var nowMs: UInt64 = 0
    private var queueDelays: [(atMs: UInt64, ms: Double)] = []
    private var estimateLog: [(atMs: UInt64, bps: Int)] = []
    static let ms: UInt64 = 1_000_000

    init(capacityBps: Int) { self.capacityBps = capacityBps }

    var estimate: Int { estimator.bitrate }

    mutating func run(untilMs: UInt64) {
        while nowMs < untilMs {
            let now = nowMs * Self.ms
            if nowMs % 33 == 0 {
                var frame = estimator.bitrate / 30 / 8
                while frame > 0 {
                    let bytes = min(frame, 1_200)
                    pacer.enqueue((history.nextSequenceNumber(), bytes), bytes: bytes, nowNs: now)
                    frame -= bytes
                }
            }
            pacer.targetBitrate = estimator.bitrate
            for p in pacer.dequeue(nowNs: now) { transmit(p.seq, bytes: p.bytes, nowNs: now) }
            while let first = inFlight.first, first.arrivalNs <= now {
                generator.onPacket(transportSequenceNumber: first.seq, ssrc: 1, arrivalNs: first.arrivalNs)
                inFlight.removeFirst()
            }
            for fb in generator.poll(senderSsrc: 2, nowNs: now) { feedbackInFlight.append((now + 20 * Self.ms, fb)) }
            while let first = feedbackInFlight.first, first.atNs <= now {
                estimator.onPacketResults(history.results(for: first.feedback), rttNs: 40 * Self.ms, nowNs: now)
                feedbackInFlight.removeFirst()
            }
            estimateLog.append((nowMs, estimator.bitrate))
            nowMs += 1
        }
    }

    private mutating func transmit(_ seq: UInt16, bytes: Int, nowNs: UInt64) {
        history.onSent(sequenceNumber: seq, bytes: bytes, nowNs: nowNs)
        let start = max(nowNs, linkFreeAtNs)
        let queueNs = start - nowNs
        guard queueNs <= 100 * Self.ms else { return }  // drop-tail
        queueDelays.append((nowMs, Double(queueNs) / 1e6))
        linkFreeAtNs = start + UInt64(bytes * 8) * 1_000_000_000 / UInt64(capacityBps)
        inFlight.append((linkFreeAtNs + 20 * Self.ms, seq))
    }

    func estimates(fromMs: UInt64, toMs: UInt64) -> [Int] {
        estimateLog.filter { $0.atMs >= fromMs && $0.atMs < toMs }.map(\.bps)
    }

    func queueDelayP95Ms(fromMs: UInt64) -> Double {
        let d = queueDelays.filter { $0.atMs >= fromMs }.map(\.ms).sorted()
        return d.isEmpty ? 0 : d[d.count * 95 / 100]
    }
}
