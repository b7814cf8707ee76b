import Synchronization

/// A thread-safe FIFO with a fixed capacity for real-time media: when full, `push` drops the
/// oldest element (stale media is worth less than fresh) and counts it. `pop` blocks with a
/// timeout so consumer threads can notice shutdown.
public final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private struct State {
        var items: [Element?]
        var head = 0
        var count = 0
        var dropped = 0
        var closed = false
    }
    public let capacity: Int
    private let state: Mutex<State>
    private let signal = ConditionSignal()

    public init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        state = Mutex(State(items: Array(repeating: nil, count: capacity)))
    }

    /// Elements dropped because the queue was full.
    public var droppedCount: Int { state.withLock { $0.dropped } }
    public var count: Int { state.withLock { $0.count } }
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Appends without ever blocking; returns false when it had to drop the oldest element.
    @discardableResult
    public func push(_ element: Element) -> Bool {
        let kept = state.withLock { s -> Bool in
            if s.closed { return true }
            var kept = true
            if s.count == capacity {
                s.items[s.head] = nil
                s.head = (s.head + 1) % capacity
                s.count -= 1
                s.dropped += 1
                kept = false
            }
            s.items[(s.head + s.count) % capacity] = element
            s.count += 1
            return kept
        }
        signal.wakeAll()
        return kept
    }

    /// Takes the oldest element without waiting.
    public func tryPop() -> Element? {
        state.withLock { s in
            guard s.count > 0 else { return nil }
            let e = s.items[s.head]
            s.items[s.head] = nil
            s.head = (s.head + 1) % capacity
            s.count -= 1
            return e
        }
    }

    /// Waits up to `timeoutNs` for an element; nil on timeout or when closed and empty.
    public func pop(timeoutNs: UInt64) -> Element? {
        let deadline = MonotonicClock.now() + timeoutNs
        while true {
            let gen = signal.generation
            if let e = tryPop() { return e }
            if isClosed { return nil }
            let now = MonotonicClock.now()
            if now >= deadline { return nil }
            signal.wait(ifGeneration: gen, timeoutNs: deadline - now)
        }
    }

    /// Wakes waiting consumers; later pushes are ignored.
    public func close() {
        state.withLock { $0.closed = true }
        signal.wakeAll()
    }
}
