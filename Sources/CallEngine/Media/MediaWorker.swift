import Foundation
import Synchronization

/// A dedicated real-time thread running `body` until `stopAndJoin` (media work never runs on the network thread).
final class MediaWorker: @unchecked Sendable {
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private var joined = false
    private let lock = NSLock()

    /// Starts a thread named `name`; `body` should return soon after `isStopping` becomes true.
    init(name: String, body: @escaping @Sendable (MediaWorker) -> Void) {
        let thread = Thread { [self] in
            body(self)
            self.finished.signal()
        }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// True once stop was asked for.
    var isStopping: Bool { stopping.load(ordering: .acquiring) }

    /// Asks the thread to stop and waits for it; safe to call twice.
    func stopAndJoin() {
        stopping.store(true, ordering: .releasing)
        lock.withLock {
            guard !joined else { return }
            joined = true
            finished.wait()
        }
    }
}

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

/// Hands a non-Sendable object (a codec) over to the one thread that will own it from then on.
final class HandOver<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
