/// Round-trip time from the report blocks peers send about our streams (RFC 3550 §6.4.1):
/// RTT = arrival − send time of the SR named by LSR − DLSR. Send times are kept on the monotonic clock,
/// keyed by each SR's middle 32 NTP bits, so no wall clock is needed on arrival.
package struct RttEstimator: Sendable {
    /// Sender reports remembered (about 30 s at one per second).
    package static let maxRemembered = 32
    /// Weight of a new sample in the smoothed RTT.
    package static let smoothingWeight = 0.125

    /// Last RTT measured.
    package private(set) var latestRttNs: UInt64?
    /// RTT smoothed over recent reports (weight 1/8).
    package private(set) var smoothedRttNs: UInt64?
    private var sent: [(middle32: UInt32, sentNs: UInt64)] = []

    package init() {}

    /// Records an SR we sent at `nowNs` with NTP time `ntpTime`.
    package mutating func onSenderReportSent(ntpTime: NtpTimestamp, nowNs: UInt64) {
        sent.append((ntpTime.middle32, nowNs))
        if sent.count > Self.maxRemembered { sent.removeFirst(sent.count - Self.maxRemembered) }
    }

    /// The RTT measured by a report block about one of our streams; nil when it names no SR we remember.
    @discardableResult
    package mutating func onReportBlock(_ block: ReportBlock, nowNs: UInt64) -> UInt64? {
        guard block.lastSenderReport != 0,
              let sr = sent.last(where: { $0.middle32 == block.lastSenderReport }) else { return nil }
        let delay = NtpTimestamp.nanoseconds(fromCompact: block.delaySinceLastSenderReport)
        let elapsed = nowNs > sr.sentNs ? nowNs - sr.sentNs : 0
        // Clock granularity can make the difference slightly negative; RTT is at least 0.
        let rtt = elapsed > delay ? elapsed - delay : 0
        latestRttNs = rtt
        if let s = smoothedRttNs {
            smoothedRttNs = UInt64(Double(s) * (1 - Self.smoothingWeight) + Double(rtt) * Self.smoothingWeight)
        } else {
            smoothedRttNs = rtt
        }
        return rtt
    }
}
