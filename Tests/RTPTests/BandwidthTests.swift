@testable import RTP
import Testing

@Suite struct BandwidthTests {
    @Test func lossBasedRules() {
        var c = LossBasedRateController()
        #expect(c.targetBitrate == 500_000)
        // Below 2% loss: +8% per second of elapsed time.
        #expect(c.onLossReport(fractionLost: 0.01, nowNs: 1_000 * rtpMs) == 540_000)
        #expect(c.onLossReport(fractionLost: 0.0, nowNs: 2_000 * rtpMs) == 583_200)
        #expect(c.onLossReport(fractionLost: 0.0, nowNs: 2_500 * rtpMs) == 606_528)   // half a second: +4%
        // Between 2% and 10%: hold.
        #expect(c.onLossReport(fractionLost: 0.05, nowNs: 3_500 * rtpMs) == 606_528)
        // Above 10%: cut by (1 − 0.5 · loss), at most once per 300 ms + RTT.
        #expect(c.onLossReport(fractionLost: 0.2, nowNs: 4_500 * rtpMs) == 545_875)
        #expect(c.onLossReport(fractionLost: 0.2, nowNs: 4_800 * rtpMs) == 545_875)
        #expect(c.onLossReport(fractionLost: 0.2, nowNs: 4_900 * rtpMs) == 491_287)
        // Bounds: 100 kbit/s ... 2 Mbit/s.
        for i in 0..<100 { c.onLossReport(fractionLost: 1.0, nowNs: UInt64(5_000 + i * 1_000) * rtpMs) }
        #expect(c.targetBitrate == 100_000)
        for i in 0..<200 { c.onLossReport(fractionLost: 0, nowNs: UInt64(200_000 + i * 1_000) * rtpMs) }
        #expect(c.targetBitrate == 2_000_000)
        // A REMB from the peer caps the target.
        #expect(c.onRemb(bitrate: 800_000) == 800_000)
        #expect(c.onRemb(bitrate: 50_000) == 100_000)
    }

    /// 10 % random loss that a cut does not reduce is the link's own: with a delay-based estimate beside it the rate
    /// is cut once, then held and grown; without one the classic rule keeps cutting.
    @Test func lossThatACutDoesNotReduceIsInherent() {
        var withDelay = LossBasedRateController(), classic = LossBasedRateController()
        withDelay.onDelayBasedEstimate(bitrate: 2_000_000)
        for i in 1...20 {
            let loss = i % 2 == 0 ? 0.11 : 0.1
            withDelay.onLossReport(fractionLost: loss, nowNs: UInt64(i) * 1_000 * rtpMs)
            classic.onLossReport(fractionLost: loss, nowNs: UInt64(i) * 1_000 * rtpMs)
        }
        #expect(withDelay.inherentLoss >= 0.1 && withDelay.targetBitrate >= 500_000, "\(withDelay.targetBitrate)")
        #expect(classic.targetBitrate < 300_000 && classic.inherentLoss == 0, "cut at every report above 10 %")
        // Loss well above the inherent level still cuts.
        let before = withDelay.targetBitrate
        withDelay.onLossReport(fractionLost: 0.4, nowNs: 30_000 * rtpMs)
        #expect(withDelay.targetBitrate < before)
    }

    /// Chromium reports with every NACK, a few packets per block: the loss-based rate sees samples of 20 packets
    /// or more, counted from the blocks' cumulative figures, so 1 lost of 2 is not taken for 50 % loss.
    @Test func lossSamplesCoverTwentyPackets() {
        func block(highest: UInt32, lost: Int32, fraction: UInt8 = 0) -> ReportBlock {
            ReportBlock(ssrc: 5, fractionLost: fraction, cumulativeLost: lost, extendedHighestSequenceNumber: highest,
                        jitter: 0, lastSenderReport: 0, delaySinceLastSenderReport: 0)
        }
        var a = LossReportAccumulator()
        #expect(a.add(block(highest: 100, lost: 0)) == nil, "the first block is the baseline")
        #expect(a.add(block(highest: 102, lost: 1, fraction: 128)) == nil, "2 packets: no sample yet")
        #expect(a.add(block(highest: 101, lost: 1)) == nil, "an older report is ignored")
        #expect(a.add(block(highest: 110, lost: 1)) == nil)
        #expect(a.add(block(highest: 120, lost: 2)) == 0.1, "2 lost of 20")
        #expect(a.add(block(highest: 140, lost: 1)) == 0, "duplicates lower the count: no negative loss")

        // Through the feature: 10 % loss in blocks of 4 packets with 0, 1 or 2 lost never cuts the rate.
        var feature = RateControlFeature(startBitrate: 500_000)
        var stream = StreamContext(feedbackSsrc: 9, mediaSsrc: 5)
        var lost: Int32 = 0
        for i in 1...200 {
            let l: Int32 = i % 10 == 0 ? 2 : i % 10 == 5 ? 2 : 0   // 4 lost of 40 packets
            lost += l
            let report = RtcpPacket.receiverReport(ReceiverReport(ssrc: 9, reports: [
                block(highest: UInt32(4 * i), lost: lost, fraction: UInt8(Int(l) * 64))]))
            _ = feature.rtcp(report, &stream, nowNs: UInt64(i) * 100 * rtpMs)
        }
        #expect(feature.appliedBitrate >= 500_000, "\(feature.appliedBitrate)")
    }

    /// 10 % random loss read in 20-packet samples (anywhere from 0 to 25 %) beside a 2 Mbit/s delay-based estimate:
    /// smoothed, the noise neither resets the inherent loss nor cuts the rate step by step to the minimum.
    @Test func noisyRandomLossDoesNotRatchetTheRateDown() {
        var feature = RateControlFeature(startBitrate: 500_000)
        var stream = StreamContext(feedbackSsrc: 9, mediaSsrc: 5)
        _ = feature.bandwidthEstimate(2_000_000, &stream, nowNs: 0)
        var rng: UInt64 = 0x9E37_79B9_7F4A_7C15
        var lost: Int32 = 0
        for i in 1...300 {
            for _ in 0..<20 {
                rng = rng &* 6364136223846793005 &+ 1442695040888963407
                if (rng >> 33) % 10 == 0 { lost += 1 }
            }
            let report = RtcpPacket.receiverReport(ReceiverReport(ssrc: 9, reports: [ReportBlock(
                ssrc: 5, fractionLost: 0, cumulativeLost: lost, extendedHighestSequenceNumber: UInt32(20 * i), jitter: 0,
                lastSenderReport: 0, delaySinceLastSenderReport: 0)]))
            _ = feature.rtcp(report, &stream, nowNs: UInt64(i) * 500 * rtpMs)
        }
        #expect(feature.appliedBitrate >= 400_000, "\(feature.appliedBitrate)")
    }

    /// 1 Mbit/s of 1000-byte packets every 8 ms; `extraDelayPerPacketNs` models a queue that grows.
    static func feed(_ e: inout RembEstimator, fromMs: UInt64, toMs: UInt64, extraDelayPerPacketNs: UInt64 = 0,
                     queueNs: inout UInt64) {
        var t = fromMs * rtpMs
        while t < toMs * rtpMs {
            queueNs += extraDelayPerPacketNs
            e.onPacket(size: 1000, absSendTime: HeaderExtensions.absSendTime(ns: t), arrivalNs: t + 20 * rtpMs + queueNs)
            t += 8 * rtpMs
        }
    }

    @Test func rembGrowsOnStablePathAndCutsOnGrowingDelay() {
        var e = RembEstimator()
        var queue: UInt64 = 0
        Self.feed(&e, fromMs: 0, toMs: 500, queueNs: &queue)
        #expect(e.estimate == nil && e.pollRemb(nowNs: 520 * rtpMs) == nil)
        Self.feed(&e, fromMs: 500, toMs: 5_000, queueNs: &queue)
        #expect(e.usage == .normal)
        let stable = e.estimate ?? 0
        #expect(stable >= 1_000_000 && stable <= 1_500_000 + 10_000, "estimate \(stable)")
        #expect(abs(Int(e.incomingBitrate) - 1_000_000) < 20_000)
        // The queue now grows 2 ms per 8 ms packet (sending 25% faster than the path drains).
        Self.feed(&e, fromMs: 5_000, toMs: 6_000, extraDelayPerPacketNs: 2 * rtpMs, queueNs: &queue)
        #expect(e.usage == .overusing)
        let cut = e.estimate ?? .max
        #expect(cut < 1_000_000 && cut >= 600_000, "estimate after overuse \(cut)")
    }

    @Test func rembSentEverySecondOrAtOnceOnDrop() {
        var e = RembEstimator()
        var queue: UInt64 = 0
        Self.feed(&e, fromMs: 0, toMs: 2_000, queueNs: &queue)
        let first = e.pollRemb(senderSsrc: 1, mediaSsrcs: [0xAAAA], nowNs: 2_020 * rtpMs)
        #expect(first?.bitrate == e.estimate && first?.ssrcs == [0xAAAA])
        #expect(e.pollRemb(nowNs: 2_500 * rtpMs) == nil)
        #expect(e.pollRemb(nowNs: 3_020 * rtpMs) != nil)
        Self.feed(&e, fromMs: 2_000, toMs: 2_600, extraDelayPerPacketNs: 2 * rtpMs, queueNs: &queue)
        #expect(e.pollRemb(nowNs: 3_100 * rtpMs) != nil, "a 15% drop is sent at once")
    }

    /// A receiver stopped for 4 s (SIGSTOP) reads what its socket buffer kept in one burst, then live packets:
    /// neither the pause nor the burst is a queue, so the estimate must stay where it was.
    @Test func aPauseAndTheBurstAfterItDoNotCutTheEstimate() {
        var e = RembEstimator()
        var queue: UInt64 = 0
        Self.feed(&e, fromMs: 0, toMs: 5_000, queueNs: &queue)
        let before = e.estimate ?? 0
        // Sent 5.0–5.4 s, held by the kernel, read at 9.0 s within 5 ms.
        var t: UInt64 = 5_000 * rtpMs, i: UInt64 = 0
        while t < 5_400 * rtpMs {
            e.onPacket(size: 1000, absSendTime: HeaderExtensions.absSendTime(ns: t), arrivalNs: 9_000 * rtpMs + i * 100_000)
            t += 8 * rtpMs; i += 1
        }
        // Then live again (the packets of 5.4–9.0 s overflowed the buffer and are gone).
        queue = 0
        Self.feed(&e, fromMs: 9_010, toMs: 12_000, queueNs: &queue)
        #expect(e.trendResets >= 1)
        #expect(e.usage != .overusing)
        let after = e.estimate ?? 0
        #expect(after >= before * 9 / 10, "estimate \(before) before the pause, \(after) after")
    }
}
