/// Reception statistics of one incoming stream (RFC 3550 §6.4, A.3, A.8): counts, loss, interarrival jitter,
/// and the report block describing them.
package struct ReceiveStatistics: Sendable {
    /// The stream reported on.
    package let ssrc: UInt32
    /// RTP clock rate of the stream (90000 for video, 48000 for Opus).
    package let clockRate: Int
    /// Packets received, duplicates and retransmissions included (as RFC 3550 counts them).
    package private(set) var packetsReceived: Int64 = 0
    /// Payload bytes received.
    package private(set) var bytesReceived: Int64 = 0
    /// Interarrival jitter in RTP timestamp units, as a real number.
    package private(set) var jitter: Double = 0

    private var unwrapper = SequenceUnwrapper()
    private var baseSeq: Int64?
    private var highestSeq: Int64 = 0
    private var lastArrival: Double?
    private var lastTimestamp: UInt32?
    private var expectedPrior: Int64 = 0
    private var receivedPrior: Int64 = 0
    private var lastSenderReport: (middle32: UInt32, arrivalNs: UInt64)?

    package init(ssrc: UInt32, clockRate: Int) { self.ssrc = ssrc; self.clockRate = clockRate }

    /// Packets expected from the first and highest sequence numbers seen.
    package var expected: Int64 { baseSeq.map { highestSeq - $0 + 1 } ?? 0 }
    /// Packets lost so far (negative when duplicates outnumber losses).
    package var cumulativeLost: Int64 { expected - packetsReceived }
    /// Highest sequence number with its rollover count in the upper 16 bits.
    package var extendedHighestSequenceNumber: UInt32 { UInt32(truncatingIfNeeded: highestSeq) }
    /// Jitter in nanoseconds.
    package var jitterNs: Double { jitter * 1e9 / Double(clockRate) }

    /// Records a received packet. Retransmissions count towards loss but not jitter (their delay is the NACK's).
    package mutating func onPacket(sequenceNumber: UInt16, rtpTimestamp: UInt32, payloadBytes: Int, arrivalNs: UInt64,
                                  isRetransmission: Bool = false) {
        let seq = unwrapper.unwrap(sequenceNumber)
        packetsReceived += 1
        bytesReceived += Int64(payloadBytes)
        guard let base = baseSeq else {
            baseSeq = seq; highestSeq = seq
            updateJitter(rtpTimestamp, arrivalNs)
            return
        }
        if seq < base { baseSeq = seq }
        guard seq > highestSeq else { return }
        highestSeq = seq
        // Jitter from in-order originals only, once per timestamp (the packets of one frame share it).
        if !isRetransmission && rtpTimestamp != lastTimestamp { updateJitter(rtpTimestamp, arrivalNs) }
    }

    private mutating func updateJitter(_ ts: UInt32, _ arrivalNs: UInt64) {
        // Arrival in timestamp units; doubles keep the fraction that integer A.8 code rounds away.
        let arrival = Double(arrivalNs) * Double(clockRate) / 1e9
        if let lastArrival, let lastTs = lastTimestamp {
            // D(i,j) = (Rj − Ri) − (Sj − Si), with the timestamp difference taken modulo 2^32.
            let d = abs((arrival - lastArrival) - Double(Int32(bitPattern: ts &- lastTs)))
            jitter += (d - jitter) / 16
        }
        lastArrival = arrival
        lastTimestamp = ts
    }

    /// Records an SR from this source, so the next report block can echo LSR and DLSR.
    package mutating func onSenderReport(_ sr: SenderReport, arrivalNs: UInt64) {
        lastSenderReport = (sr.ntpTime.middle32, arrivalNs)
    }

    /// The report block for now; starts a new interval for the fraction lost. Nil before any packet.
    package mutating func makeReportBlock(nowNs: UInt64) -> ReportBlock? {
        guard baseSeq != nil else { return nil }
        let expectedInterval = expected - expectedPrior
        let receivedInterval = packetsReceived - receivedPrior
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = expectedInterval - receivedInterval
        let fraction: UInt8 = expectedInterval == 0 || lostInterval <= 0
            ? 0 : UInt8(min(255, (lostInterval << 8) / expectedInterval))
        var lsr: UInt32 = 0, dlsr: UInt32 = 0
        if let sr = lastSenderReport {
            lsr = sr.middle32
            dlsr = NtpTimestamp.compact(fromNanoseconds: nowNs > sr.arrivalNs ? nowNs - sr.arrivalNs : 0)
        }
        return ReportBlock(ssrc: ssrc, fractionLost: fraction,
                           cumulativeLost: Int32(clamping: cumulativeLost),
                           extendedHighestSequenceNumber: extendedHighestSequenceNumber,
                           jitter: UInt32(clamping: Int64(jitter.rounded())), lastSenderReport: lsr,
                           delaySinceLastSenderReport: dlsr)
    }
}
