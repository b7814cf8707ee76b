/// Minimum and maximum of values seen over a sliding time window, in O(1) amortised per sample
/// (monotonic queues). Times must not go backwards.
struct RtpSlidingExtremes: Sendable {
    private var mins: [(t: UInt64, v: Double)] = []
    private var maxs: [(t: UInt64, v: Double)] = []
    private var minHead = 0
    private var maxHead = 0

    var min: Double? { minHead < mins.count ? mins[minHead].v : nil }
    var max: Double? { maxHead < maxs.count ? maxs[maxHead].v : nil }

    mutating func add(_ v: Double, at t: UInt64) {
        while mins.count > minHead, mins[mins.count - 1].v >= v { mins.removeLast() }
        mins.append((t, v))
        while maxs.count > maxHead, maxs[maxs.count - 1].v <= v { maxs.removeLast() }
        maxs.append((t, v))
    }

    /// Forgets samples taken before `t`.
    mutating func expire(before t: UInt64) {
        while minHead < mins.count, mins[minHead].t < t { minHead += 1 }
        while maxHead < maxs.count, maxs[maxHead].t < t { maxHead += 1 }
        if minHead > 256 { mins.removeFirst(minHead); minHead = 0 }
        if maxHead > 256 { maxs.removeFirst(maxHead); maxHead = 0 }
    }
}
