import Media

/// When to send the next SR/RR compound: about every `intervalNs`, each gap randomised over 0.5–1.5 × the
/// interval (RFC 3550 §6.3.5) so that peers do not synchronise. Deterministic given its seed.
package struct ReportScheduler: Sendable {
    /// Mean report interval for video (audio-only calls may use 5 s).
    package static let defaultIntervalNs: UInt64 = 1_000_000_000

    /// Mean interval between reports.
    package var intervalNs: UInt64
    /// When the next report is due; nil until the first `shouldSend`.
    package private(set) var nextReportNs: UInt64?
    private var random: SplitMix64

    package init(intervalNs: UInt64 = defaultIntervalNs, seed: UInt64 = .random(in: 0...UInt64.max)) {
        self.intervalNs = intervalNs
        random = SplitMix64(seed: seed)
    }

    /// True when a report is due now (the first call is due at once); schedules the next one.
    package mutating func shouldSend(nowNs: UInt64) -> Bool {
        if let next = nextReportNs, nowNs < next { return false }
        let factor = 0.5 + Double(random.next() >> 11) / Double(1 << 53)
        nextReportNs = nowNs + UInt64(Double(intervalNs) * factor)
        return true
    }
}
