import Media
import Synchronization

/// Runs `produce` every `periodNs` on absolute deadlines (no drift), on its own thread.
/// When the producer falls more than one period behind, it skips the missed slots instead of
/// bursting to catch up.
final class PacedLoop: @unchecked Sendable {
    private var thread: MediaThread?
    private let skipped = MutexBox(0)

    /// Slots skipped because the producer was late.
    var skippedSlots: Int { skipped.value }

    /// `produce(nowNs)` returns false to end the loop.
    func start(name: String, periodNs: Double, produce: @escaping (UInt64) -> Bool) {
        stop()
        let skipped = self.skipped
        thread = MediaThread(name: name) { t in
            let start = MonotonicClock.now()
            var slot: UInt64 = 0
            while !t.isStopping {
                let deadline = start + UInt64(Double(slot) * periodNs)
                guard t.sleep(untilNs: deadline) else { break }
                let now = MonotonicClock.now()
                if !produce(now) { break }
                slot += 1
                let due = UInt64(Double(MonotonicClock.now() - start) / periodNs)
                if due > slot {
                    skipped.withLock { $0 += Int(due - slot) }
                    slot = due
                }
            }
        }
    }

    func stop() {
        thread?.stopAndJoin()
        thread = nil
    }

    deinit { stop() }
}

/// A sink's worker: frames wait in a bounded queue (drop-oldest) and a thread hands them to
/// `consume`, so `accept` never blocks. `close` drains what is queued, then calls `finish`.
final class SinkWorker<Element: Sendable>: @unchecked Sendable {
    let queue: BoundedQueue<Element>
    private var thread: MediaThread?
    private let closed = Mutex(false)

    init(name: String, capacity: Int, consume: @escaping (Element) -> Void, finish: @escaping () -> Void) {
        let queue = BoundedQueue<Element>(capacity: capacity)
        self.queue = queue
        thread = MediaThread(name: name) { _ in
            // Runs until close() closes the queue and it is empty.
            while true {
                if let e = queue.pop(timeoutNs: 100_000_000) { consume(e); continue }
                if queue.isClosed && queue.count == 0 { break }
            }
            finish()
        }
    }

    deinit { close() }

    func accept(_ element: Element) { queue.push(element) }

    /// Frames dropped because the consumer was slow.
    var droppedCount: Int { queue.droppedCount }

    func close() {
        let first = closed.withLock { c -> Bool in defer { c = true }; return !c }
        guard first else { return }
        queue.close()
        thread?.stopAndJoin()
        thread = nil
    }
}
