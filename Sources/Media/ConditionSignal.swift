#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A generation counter with a condition variable: a waiter records the generation, checks its
/// condition, then waits only if nobody signalled in between (no lost wake-ups).
public final class ConditionSignal: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var gen: UInt64 = 0

    public init() {
        pthread_mutex_init(&mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(&cond, &attr)
        pthread_condattr_destroy(&attr)
    }
    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    public var generation: UInt64 {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return gen
    }

    public func wakeAll() {
        pthread_mutex_lock(&mutex)
        gen &+= 1
        pthread_cond_broadcast(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Waits until the generation moves past `ifGeneration` or the timeout passes.
    public func wait(ifGeneration g: UInt64, timeoutNs: UInt64) {
        let deadline = MonotonicClock.now() + timeoutNs
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_mutex_lock(&mutex)
        while gen == g {
            if pthread_cond_timedwait(&cond, &mutex, &ts) == ETIMEDOUT { break }
        }
        pthread_mutex_unlock(&mutex)
    }
}
