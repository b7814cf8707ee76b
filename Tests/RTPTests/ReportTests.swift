@testable import RTP
import Testing

@Suite struct ReportTests {
    @Test func fractionLostAndCumulativeLossOnKnownLoss() {
        var stats = ReceiveStatistics(ssrc: 0xAAAA, clockRate: 48_000)
        // 200 packets starting near the wrap; every 10th (seq % 10 == 5 of the index) lost: 20 lost.
        for i in 0..<200 where i % 10 != 5 {
            stats.onPacket(sequenceNumber: UInt16(truncatingIfNeeded: 65_500 + i), rtpTimestamp: UInt32(i * 960),
                           payloadBytes: 100, arrivalNs: UInt64(i) * 20 * rtpMs)
        }
        let first = stats.makeReportBlock(nowNs: 4_000 * rtpMs)!
        #expect(first.ssrc == 0xAAAA && first.fractionLost == 25 && first.cumulativeLost == 20)  // 20/200 × 256
        #expect(first.extendedHighestSequenceNumber == 0x1_0000 + UInt32(65_500 + 199 - 65_536))
        #expect(first.lastSenderReport == 0 && first.delaySinceLastSenderReport == 0)
        #expect(stats.packetsReceived == 180 && stats.bytesReceived == 18_000)
        // Next interval: 100 packets, 2 lost and 2 duplicates of earlier ones.
        for i in 200..<300 where i != 250 && i != 251 {
            stats.onPacket(sequenceNumber: UInt16(truncatingIfNeeded: 65_500 + i), rtpTimestamp: UInt32(i * 960),
                           payloadBytes: 100, arrivalNs: UInt64(i) * 20 * rtpMs)
        }
        let second = stats.makeReportBlock(nowNs: 6_000 * rtpMs)!
        #expect(second.fractionLost == 5 && second.cumulativeLost == 22)  // 2/100 × 256 = 5.12
        stats.onPacket(sequenceNumber: UInt16(truncatingIfNeeded: 65_500 + 299), rtpTimestamp: 0, payloadBytes: 100,
                       arrivalNs: 6_001 * rtpMs)
        stats.onPacket(sequenceNumber: UInt16(truncatingIfNeeded: 65_500 + 298), rtpTimestamp: 0, payloadBytes: 100,
                       arrivalNs: 6_001 * rtpMs)
        let third = stats.makeReportBlock(nowNs: 7_000 * rtpMs)!
        #expect(third.fractionLost == 0 && third.cumulativeLost == 20)    // duplicates offset losses
    }

    @Test func interarrivalJitterOnAlternatingDelay() {
        // Every other packet is 10 ms late: |D| = 10 ms = 480 units at 48 kHz for every pair.
        var stats = ReceiveStatistics(ssrc: 1, clockRate: 48_000)
        for i in 0..<300 {
            let delay: UInt64 = i % 2 == 1 ? 10 * rtpMs : 0
            stats.onPacket(sequenceNumber: UInt16(i), rtpTimestamp: 0xFFFF_0000 &+ UInt32(i * 960), payloadBytes: 50,
                           arrivalNs: 1_000_000 * rtpMs + UInt64(i) * 20 * rtpMs + delay)
            // RFC 3550 A.8 gain: J = |D| / 16 after the first difference, 480 × (1 − (15/16)²) after the second.
            if i == 1 { #expect(abs(stats.jitter - 30) < 0.01) }
            if i == 2 { #expect(abs(stats.jitter - 58.125) < 0.01) }
        }
        #expect(abs(stats.jitter - 480) < 1, "jitter \(stats.jitter)")
        #expect(abs(stats.jitterNs - 10_000_000) < 50_000)
        #expect(stats.makeReportBlock(nowNs: 0)?.jitter == 480)
        // A steady stream has no jitter; retransmissions do not add any.
        var steady = ReceiveStatistics(ssrc: 2, clockRate: 90_000)
        for i in 0..<100 {
            steady.onPacket(sequenceNumber: UInt16(i), rtpTimestamp: UInt32(i * 3000), payloadBytes: 1000,
                            arrivalNs: UInt64(i) * 33_333_333)
        }
        steady.onPacket(sequenceNumber: 50, rtpTimestamp: 150_000, payloadBytes: 1000, arrivalNs: 9_000 * rtpMs,
                        isRetransmission: true)
        #expect(steady.jitter < 1)
    }

    @Test func rttFromLsrAndDlsrAcrossTwoEndpoints() {
        // A sends an SR at 1000 ms; one-way delay 40 ms each way; B answers 200 ms after receiving it.
        var rtt = RttEstimator()
        let ntp = NtpTimestamp(unixNs: 1_764_000_000_123_456_789)
        rtt.onSenderReportSent(ntpTime: ntp, nowNs: 1_000 * rtpMs)
        var b = ReceiveStatistics(ssrc: 0xAAAA, clockRate: 90_000)
        b.onPacket(sequenceNumber: 1, rtpTimestamp: 0, payloadBytes: 10, arrivalNs: 990 * rtpMs)
        b.onSenderReport(SenderReport(ssrc: 0xAAAA, ntpTime: ntp, rtpTimestamp: 0, packetCount: 1, octetCount: 10),
                         arrivalNs: 1_040 * rtpMs)
        let block = b.makeReportBlock(nowNs: 1_240 * rtpMs)!
        #expect(block.lastSenderReport == ntp.middle32)
        #expect(block.delaySinceLastSenderReport == NtpTimestamp.compact(fromNanoseconds: 200 * rtpMs))
        let measured = rtt.onReportBlock(block, nowNs: 1_280 * rtpMs)
        #expect(measured.map { abs(Int64($0) - 80_000_000) < 100_000 } == true, "rtt \(String(describing: measured))")
        #expect(rtt.smoothedRttNs == rtt.latestRttNs)
        // A block naming an SR we never sent gives nothing.
        var unknown = block; unknown.lastSenderReport = 12345
        #expect(rtt.onReportBlock(unknown, nowNs: 1_300 * rtpMs) == nil)
    }

    @Test func schedulerRandomisesAroundOneSecond() {
        var s = ReportScheduler(seed: 42)
        #expect(s.shouldSend(nowNs: 0) == true)
        var now: UInt64 = 0, sends = 0, gaps: [UInt64] = []
        var last: UInt64 = 0
        while now < 1_000_000 * rtpMs {
            now += 10 * rtpMs
            if s.shouldSend(nowNs: now) { sends += 1; gaps.append(now - last); last = now }
        }
        #expect(gaps.min()! >= 500 * rtpMs && gaps.max()! <= 1_510 * rtpMs)
        #expect(abs(sends - 1000) < 30, "\(sends) reports in 1000 s")
        var same = ReportScheduler(seed: 42), other = ReportScheduler(seed: 43)
        _ = same.shouldSend(nowNs: 0); _ = other.shouldSend(nowNs: 0)
        var again = ReportScheduler(seed: 42); _ = again.shouldSend(nowNs: 0)
        #expect(same.nextReportNs == again.nextReportNs && same.nextReportNs != other.nextReportNs)
    }

    @Test func senderReportExtrapolatesRtpTime() {
        var s = SendStatistics(ssrc: 7, clockRate: 90_000)
        #expect(!s.hasSent)
        for i in 0..<10 {
            s.onSent(RtpPacket(payloadType: 96, sequenceNumber: UInt16(i), timestamp: UInt32(i * 3000), ssrc: 7,
                               payload: [UInt8](repeating: 0, count: 100)), nowNs: UInt64(i) * 33 * rtpMs)
        }
        let ntp = NtpTimestamp(seconds: 1, fraction: 2)
        let sr = s.makeSenderReport(ntpTime: ntp, nowNs: 9 * 33 * rtpMs + 100 * rtpMs)
        #expect(sr.packetCount == 10 && sr.octetCount == 1000 && sr.ntpTime == ntp && sr.ssrc == 7)
        #expect(sr.rtpTimestamp == 27_000 + 9_000)
    }
}
