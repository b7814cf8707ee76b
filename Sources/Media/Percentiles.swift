/// The one way figures are summarised (benchmarks, call statistics).
public enum Percentiles {
    /// Nearest-rank percentile of ascending `sorted` values: `sorted[min(n − 1, ⌊p · n⌋)]`; nil when empty.
    public static func nearestRank<T>(sorted: [T], _ p: Double) -> T? {
        guard !sorted.isEmpty else { return nil }
        return sorted[min(sorted.count - 1, Int(p * Double(sorted.count)))]
    }

    /// The middle value, or the mean of the two middle ones; 0 when empty.
    public static func median(_ values: [Double]) -> Double {
        let v = values.sorted()
        guard !v.isEmpty else { return 0 }
        return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
    }
}
