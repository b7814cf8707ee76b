/// What one outgoing stream has sent, for its sender reports (RFC 3550 §6.4.1).
package struct SendStatistics: Sendable {
    /// The stream described.
    package let ssrc: UInt32
    /// RTP clock rate of the stream.
    package let clockRate: Int
    /// Media packets sent (wraps like the SR field).
    package private(set) var packetsSent: UInt32 = 0
    /// Payload bytes sent.
    package private(set) var octetsSent: UInt32 = 0
    private var last: (rtpTimestamp: UInt32, sentNs: UInt64)?

    package init(ssrc: UInt32, clockRate: Int) { self.ssrc = ssrc; self.clockRate = clockRate }

    /// Records a sent media packet (not retransmissions).
    package mutating func onSent(_ packet: RtpPacket, nowNs: UInt64) {
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: packet.payload.count)
        last = (packet.timestamp, nowNs)
    }

    /// True once something was sent (an SR is only meaningful then; otherwise send an RR).
    package var hasSent: Bool { last != nil }

    /// A sender report for now: the RTP timestamp is extrapolated from the last packet sent.
    /// `ntpTime` is the wall clock at `nowNs` (NtpTimestamp(unixNs:) of CLOCK_REALTIME).
    package func makeSenderReport(ntpTime: NtpTimestamp, nowNs: UInt64, reports: [ReportBlock] = []) -> SenderReport {
        var ts: UInt32 = 0
        if let last {
            let elapsed = nowNs > last.sentNs ? nowNs - last.sentNs : 0
            ts = last.rtpTimestamp &+ UInt32(truncatingIfNeeded: elapsed * UInt64(clockRate) / 1_000_000_000)
        }
        return SenderReport(ssrc: ssrc, ntpTime: ntpTime, rtpTimestamp: ts, packetCount: packetsSent,
                            octetCount: octetsSent, reports: reports)
    }
}
