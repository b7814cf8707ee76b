/// A reception report block (RFC 3550 §6.4.1), carried in SR and RR packets.
package struct ReportBlock: Sendable, Equatable {
    /// Bytes of one block on the wire.
    package static let size = 24

    /// The source this block reports on.
    package var ssrc: UInt32
    /// Fraction of packets lost since the previous report, in 1/256 units.
    package var fractionLost: UInt8
    /// Cumulative packets lost (24-bit signed; duplicates can make it negative).
    package var cumulativeLost: Int32
    /// Cycles (high 16 bits) and highest sequence number received.
    package var extendedHighestSequenceNumber: UInt32
    /// Interarrival jitter in RTP timestamp units.
    package var jitter: UInt32
    /// Middle 32 bits of the NTP time of the last SR received from this source (0 if none).
    package var lastSenderReport: UInt32
    /// Delay since that SR was received, in 1/65536 s (0 if none).
    package var delaySinceLastSenderReport: UInt32

    package init(ssrc: UInt32, fractionLost: UInt8, cumulativeLost: Int32, extendedHighestSequenceNumber: UInt32,
                jitter: UInt32, lastSenderReport: UInt32, delaySinceLastSenderReport: UInt32) {
        self.ssrc = ssrc; self.fractionLost = fractionLost; self.cumulativeLost = cumulativeLost
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber; self.jitter = jitter
        self.lastSenderReport = lastSenderReport; self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    /// The fraction lost as a value in 0...1.
    package var fractionLostRatio: Double { Double(fractionLost) / 256 }

    static func parse(_ r: inout RtpByteReader) throws(RtpParseError) -> ReportBlock {
        let ssrc = try r.u32("report block")
        let fraction = try r.u8("report block")
        let lost24 = try r.u24("report block")
        // Sign-extend the 24-bit count.
        let lost = Int32(bitPattern: lost24 << 8) >> 8
        return ReportBlock(ssrc: ssrc, fractionLost: fraction, cumulativeLost: lost,
                           extendedHighestSequenceNumber: try r.u32("report block"),
                           jitter: try r.u32("report block"), lastSenderReport: try r.u32("report block"),
                           delaySinceLastSenderReport: try r.u32("report block"))
    }

    func write(_ w: inout RtpByteWriter) {
        w.u32(ssrc)
        w.u8(fractionLost)
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        w.u24(UInt32(bitPattern: clamped) & 0xFF_FFFF)
        w.u32(extendedHighestSequenceNumber)
        w.u32(jitter)
        w.u32(lastSenderReport)
        w.u32(delaySinceLastSenderReport)
    }
}
