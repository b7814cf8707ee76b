/// A count of events in the last second (fps, bit/s), updated and read under a lock by its owner.
struct RateWindow: Sendable {
    /// Window over which rates are averaged.
    static let windowNs: UInt64 = 1_000_000_000
    private var events: [(ns: UInt64, amount: Int)] = []
    private var head = 0

    mutating func add(_ amount: Int, nowNs: UInt64) {
        events.append((nowNs, amount))
        trim(nowNs: nowNs)
    }

    /// Amount per second over the last window ending at `nowNs`.
    mutating func rate(nowNs: UInt64) -> Double {
        trim(nowNs: nowNs)
        var sum = 0
        for i in head..<events.count { sum += events[i].amount }
        return Double(sum) * 1e9 / Double(Self.windowNs)
    }

    private mutating func trim(nowNs: UInt64) {
        let cutoff = nowNs > Self.windowNs ? nowNs - Self.windowNs : 0
        while head < events.count && events[head].ns < cutoff { head += 1 }
        if head > 256 && head * 2 > events.count { events.removeFirst(head); head = 0 }
    }
}
