/// Per-connection rate limit: `burst` tokens, refilled at `rate` per second; one per message.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var lastNs: UInt64

    init(rate: Double, burst: Double, nowNs: UInt64) {
        self.rate = rate
        self.burst = burst
        tokens = burst
        lastNs = nowNs
    }

    /// Takes one token; false when the sender is over its limit. A rate of 0 disables the limit.
    mutating func take(nowNs: UInt64) -> Bool {
        guard rate > 0 else { return true }
        let elapsed = Double(nowNs &- lastNs) / 1e9
        lastNs = nowNs
        tokens = min(burst, tokens + elapsed * rate)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
