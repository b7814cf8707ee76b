import Dispatch
import Synchronization

/// A token bucket: `burst` tokens, refilled at `rate` per second. Messages take one token each; broadcast
/// budgets take bytes × recipients.
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

    /// Takes `cost` tokens; false (nothing taken) when there are not that many. A rate of 0 disables the limit.
    mutating func take(_ cost: Double = 1, nowNs: UInt64) -> Bool {
        guard rate > 0 else { return true }
        let elapsed = Double(nowNs &- lastNs) / 1e9
        lastNs = nowNs
        tokens = min(burst, tokens + elapsed * rate)
        guard tokens >= cost else { return false }
        tokens -= cost
        return true
    }
}

/// A token bucket shared by every connection (the server's whole broadcast budget).
final class SharedTokenBucket: Sendable {
    private let bucket: Mutex<TokenBucket>
    init(rate: Double, burst: Double) {
        bucket = Mutex(TokenBucket(rate: rate, burst: burst, nowNs: DispatchTime.now().uptimeNanoseconds))
    }
    func take(_ cost: Double, nowNs: UInt64) -> Bool { bucket.withLock { $0.take(cost, nowNs: nowNs) } }
}
