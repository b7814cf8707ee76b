/// What the delay trend says about the path (GCC's overuse detector output).
package enum BandwidthUsage: String, Sendable, Equatable {
    /// Queues are stable.
    case normal
    /// Queues grow: we send more than the path carries.
    case overusing
    /// Queues drain.
    case underusing
}

/// GCC's delay-based overuse detector (draft-ietf-rmcat-gcc-02 §5.3–5.4, libwebrtc's TrendlineEstimator): the
/// slope of the smoothed accumulated one-way delay variation over the last `windowSize` groups, compared with an
/// adaptive threshold. Overuse needs the trend above the threshold for 10 ms and two groups, and still rising.
package struct TrendlineEstimator: Sendable {
    /// Groups in the regression window.
    package static let windowSize = 20
    /// Exponential smoothing of the accumulated delay.
    package static let smoothing = 0.9
    /// Gain on the slope before it meets the threshold.
    package static let thresholdGain = 4.0
    /// The slope counts fully once this many deltas were seen.
    package static let minDeltas = 60
    /// Threshold bounds and start (ms).
    package static let initialThresholdMs = 12.5
    package static let thresholdRangeMs = 6.0...600.0
    /// How fast the threshold follows the trend up and down (per ms).
    package static let thresholdUp = 0.0087
    package static let thresholdDown = 0.039
    /// Trends this far beyond the threshold do not move it (a sudden spike, not a drift).
    package static let maxAdaptOffsetMs = 15.0
    /// Time above the threshold before overuse is declared.
    package static let overusingTimeMs = 10.0

    package private(set) var state = BandwidthUsage.normal
    package private(set) var thresholdMs = initialThresholdMs
    /// The latest gained trend compared with the threshold (ms).
    package private(set) var modifiedTrend = 0.0

    private var deltaCount = 0
    private var firstArrivalMs: Double?
    private var accumulatedDelayMs = 0.0
    private var smoothedDelayMs = 0.0
    private var history: [(x: Double, y: Double)] = []
    private var previousTrend = 0.0
    private var timeOverUsingMs = -1.0
    private var overuseCount = 0
    private var lastThresholdUpdateMs: Double?

    package init() {}

    /// One group delta; `arrivalMs` is the group's arrival in the receiver's clock.
    package mutating func update(arrivalDeltaMs: Double, sendDeltaMs: Double, arrivalMs: Double) {
        deltaCount = min(deltaCount + 1, 1000)
        let first = firstArrivalMs ?? arrivalMs
        firstArrivalMs = first
        accumulatedDelayMs += arrivalDeltaMs - sendDeltaMs
        smoothedDelayMs = Self.smoothing * smoothedDelayMs + (1 - Self.smoothing) * accumulatedDelayMs
        history.append((arrivalMs - first, smoothedDelayMs))
        if history.count > Self.windowSize { history.removeFirst() }
        var trend = previousTrend
        if history.count == Self.windowSize, let slope = Self.slope(history) { trend = slope }
        detect(trend: trend, sendDeltaMs: sendDeltaMs, nowMs: arrivalMs)
    }

    private mutating func detect(trend: Double, sendDeltaMs: Double, nowMs: Double) {
        guard deltaCount >= 2 else { state = .normal; return }
        let modified = Double(min(deltaCount, Self.minDeltas)) * trend * Self.thresholdGain
        modifiedTrend = modified
        if modified > thresholdMs {
            timeOverUsingMs = timeOverUsingMs < 0 ? sendDeltaMs / 2 : timeOverUsingMs + sendDeltaMs
            overuseCount += 1
            if timeOverUsingMs > Self.overusingTimeMs && overuseCount > 1 && trend >= previousTrend {
                timeOverUsingMs = 0
                overuseCount = 0
                state = .overusing
            }
        } else if modified < -thresholdMs {
            timeOverUsingMs = -1
            overuseCount = 0
            state = .underusing
        } else {
            timeOverUsingMs = -1
            overuseCount = 0
            state = .normal
        }
        previousTrend = trend
        adaptThreshold(modified, nowMs: nowMs)
    }

    /// The threshold follows |trend| slowly up and faster down, so a path with steady jitter is not overuse and a
    /// competing TCP flow does not starve us (gcc §5.4).
    private mutating func adaptThreshold(_ modified: Double, nowMs: Double) {
        let last = lastThresholdUpdateMs ?? nowMs
        lastThresholdUpdateMs = nowMs
        let magnitude = abs(modified)
        if magnitude > thresholdMs + Self.maxAdaptOffsetMs { return }
        let k = magnitude < thresholdMs ? Self.thresholdDown : Self.thresholdUp
        let elapsed = min(max(nowMs - last, 0), 100)
        thresholdMs += k * (magnitude - thresholdMs) * elapsed
        thresholdMs = min(max(thresholdMs, Self.thresholdRangeMs.lowerBound), Self.thresholdRangeMs.upperBound)
    }

    /// Least-squares slope of y over x; nil when all x are equal.
    static func slope(_ points: [(x: Double, y: Double)]) -> Double? {
        let n = Double(points.count)
        let meanX = points.reduce(0) { $0 + $1.x } / n, meanY = points.reduce(0) { $0 + $1.y } / n
        var numerator = 0.0, denominator = 0.0
        for p in points {
            numerator += (p.x - meanX) * (p.y - meanY)
            denominator += (p.x - meanX) * (p.x - meanX)
        }
        return denominator == 0 ? nil : numerator / denominator
    }
}
