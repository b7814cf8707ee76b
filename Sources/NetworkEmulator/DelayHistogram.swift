/// Queueing delays of one link in fixed buckets, so a percentile over any window is the difference of two
/// snapshots (a count per bucket is cheap to copy once a second; a sample list is not).
public struct DelayHistogram: Sendable, Equatable, CustomStringConvertible {
    /// Bucket width: 5 ms.
    public static let bucketMs = 5.0
    /// Delays of 2 s or more share the last bucket (a drop-tail queue that deep is a broken profile).
    public static let buckets = 400
    public private(set) var counts = [Int](repeating: 0, count: DelayHistogram.buckets)

    public init() {}

    public mutating func add(seconds: Double) {
        counts[min(Self.buckets - 1, max(0, Int(seconds * 1000 / Self.bucketMs)))] += 1
    }

    public var total: Int { counts.reduce(0, +) }

    /// Count and p50/p95 rather than 400 buckets.
    public var description: String {
        guard let p50 = percentileMs(0.5), let p95 = percentileMs(0.95) else { return "no delays" }
        return "\(total) delays, p50 ≤ \(Int(p50)) ms, p95 ≤ \(Int(p95)) ms"
    }

    /// Nearest-rank percentile in ms, the upper edge of its bucket; nil when empty.
    public func percentileMs(_ p: Double) -> Double? {
        let n = total
        guard n > 0 else { return nil }
        let rank = min(n - 1, Int(p * Double(n)))
        var seen = 0
        for (i, c) in counts.enumerated() {
            seen += c
            if seen > rank { return Double(i + 1) * Self.bucketMs }
        }
        return nil
    }

    /// What was added between `earlier` and this snapshot.
    public func since(_ earlier: DelayHistogram) -> DelayHistogram {
        var d = self
        for i in d.counts.indices { d.counts[i] -= earlier.counts[i] }
        return d
    }

    public static func + (a: DelayHistogram, b: DelayHistogram) -> DelayHistogram {
        var s = a
        for i in s.counts.indices { s.counts[i] += b.counts[i] }
        return s
    }
}
