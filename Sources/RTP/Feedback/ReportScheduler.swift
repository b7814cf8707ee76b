/// When to send the next SR/RR compound: about every `intervalNs`, each gap randomised over 0.5–1.5 × the
/// interval (RFC 3550 §6.3.5) so that peers do not synchronise. Deterministic given its seed.
package struct ReportScheduler: Sendable {
    /// Mean report interval for video (audio-only calls may use 5 s).
    package static let defaultIntervalNs: UInt64 = 1_000_000_000

    /// Mean interval between reports.
    package var intervalNs: UInt64
    /// When the next report is due; nil until the first `shouldSend`.
    package private(set) var nextReportNs: UInt64?
    private var random: RtpSplitMix64

    package init(intervalNs: UInt64 = defaultIntervalNs, seed: UInt64 = .random(in: 0...UInt64.max)) {
        self.intervalNs = intervalNs
        random = RtpSplitMix64(seed: seed)
    }

    /// True when a report is due now (the first call is due at once); schedules the next one.
    package mutating func shouldSend(nowNs: UInt64) -> Bool {
        if let next = nextReportNs, nowNs < next { return false }
        let factor = 0.5 + Double(random.next() >> 11) / Double(1 << 53)
        nextReportNs = nowNs + UInt64(Double(intervalNs) * factor)
        return true
    }
}

/// SplitMix64: a tiny seeded generator so schedules are reproducible in tests.
struct RtpSplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
