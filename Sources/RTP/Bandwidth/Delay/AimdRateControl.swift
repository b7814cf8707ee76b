/// GCC's rate controller (draft-ietf-rmcat-gcc-02 §5.5, libwebrtc's AimdRateControl): overuse cuts the rate to
/// 0.85 × what was acknowledged, normal grows it (8 % per second far from the last overuse's rate, about a
/// packet per response time near it), underuse holds it while the queues drain. Growth never exceeds
/// 1.5 × the acknowledged rate + 10 kbit/s, so an application-limited sender does not inflate the estimate.
package struct AimdRateControl: Sendable {
    package static let decreaseFactor = 0.85
    package static let increasePerSecond = 1.08
    /// Least multiplicative step (bit/s).
    package static let minIncreaseBps = 1_000
    /// Least additive growth (bit/s per second).
    package static let minAdditivePerSecondBps = 4_000
    /// Added to the RTT for the additive response time.
    package static let responseExtraNs: UInt64 = 100_000_000
    /// Least time between two cuts, within which the RTT counts (`reductionIntervalRange`).
    package static let reductionIntervalRangeNs: ClosedRange<UInt64> = 10_000_000...200_000_000

    package enum State: String, Sendable { case hold, increase, decrease }

    package let minBitrate: Int
    package let maxBitrate: Int
    package private(set) var bitrate: Int
    package private(set) var state = State.hold
    package private(set) var link = LinkCapacityEstimator()
    package var rttNs: UInt64 = 200_000_000
    private var lastChangeNs: UInt64?

    package init(startBitrate: Int, minBitrate: Int, maxBitrate: Int) {
        self.minBitrate = minBitrate; self.maxBitrate = maxBitrate
        bitrate = min(max(startBitrate, minBitrate), maxBitrate)
    }

    /// Whether an overuse now may cut again: once per clamped RTT, or at once when the acknowledged rate fell
    /// below half the estimate.
    package func mayReduceFurther(acknowledgedBps: Int?, nowNs: UInt64) -> Bool {
        guard let lastChangeNs else { return true }
        let interval = min(max(rttNs, Self.reductionIntervalRangeNs.lowerBound), Self.reductionIntervalRangeNs.upperBound)
        if nowNs >= lastChangeNs + interval { return true }
        return acknowledgedBps.map { $0 < bitrate / 2 } ?? false
    }

    /// One detector verdict with the latest acknowledged rate; returns the new estimate.
    @discardableResult
    package mutating func update(_ usage: BandwidthUsage, acknowledgedBps: Int?, nowNs: UInt64) -> Int {
        switch usage {
        case .normal where state == .hold:
            state = .increase
            lastChangeNs = nowNs
        case .overusing where state != .decrease: state = .decrease
        case .underusing: state = .hold
        default: break
        }
        let acked = acknowledgedBps ?? bitrate
        switch state {
        case .hold:
            break
        case .increase:
            if let upper = link.upperBoundBps, acked > upper { link.reset() }
            let limit = Int(1.5 * Double(acked)) + 10_000
            if bitrate < limit {
                let step = link.estimateKbps == nil ? multiplicativeIncrease(nowNs) : additiveIncrease(nowNs)
                bitrate = min(bitrate + step, limit)
            }
            lastChangeNs = nowNs
        case .decrease:
            var decreased = Int(Double(acked) * Self.decreaseFactor)
            if decreased > bitrate, let estimate = link.estimateKbps { decreased = Int(Self.decreaseFactor * estimate * 1000) }
            if decreased < bitrate { bitrate = decreased }
            if let lower = link.lowerBoundBps, acked < lower { link.reset() }
            link.onOveruse(acknowledgedBps: acked)
            state = .hold
            lastChangeNs = nowNs
        }
        bitrate = min(max(bitrate, minBitrate), maxBitrate)
        return bitrate
    }

    private func elapsedSeconds(_ nowNs: UInt64, cap: Double) -> Double {
        guard let lastChangeNs, nowNs > lastChangeNs else { return 0 }
        return min(Double(nowNs - lastChangeNs) / 1e9, cap)
    }

    private func multiplicativeIncrease(_ nowNs: UInt64) -> Int {
        // 1.08^t ≈ 1 + 0.08·t for t ≤ 1 s (within 0.1 %; RTP has no libm).
        let seconds = lastChangeNs == nil ? 1 : elapsedSeconds(nowNs, cap: 1)
        let factor = (Self.increasePerSecond - 1) * seconds
        return max(Int(Double(bitrate) * factor), Self.minIncreaseBps)
    }

    /// About one average packet per response time (RTT + 100 ms), at 30 frames per second.
    private func additiveIncrease(_ nowNs: UInt64) -> Int {
        let frameBits = Double(bitrate) / 30
        let packetsPerFrame = (frameBits / (1200 * 8)).rounded(.up)
        let packetBits = frameBits / max(packetsPerFrame, 1)
        let responseSeconds = Double(rttNs + Self.responseExtraNs) / 1e9
        let perSecond = max(Double(Self.minAdditivePerSecondBps), packetBits / responseSeconds)
        return Int(perSecond * elapsedSeconds(nowNs, cap: .infinity))
    }
}
