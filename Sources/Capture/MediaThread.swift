#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Media

/// A value shared between a caller and a media thread, behind a lock.
final class Locked<Value>: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var stored: Value
    init(_ value: Value) { stored = value; pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        pthread_mutex_lock(&mutex); defer { pthread_mutex_unlock(&mutex) }
        return try body(&stored)
    }
    var value: Value {
        get { withLock { $0 } }
        set { withLock { $0 = newValue } }
    }
}

/// A named OS thread that runs a loop until asked to stop, then is joined. Sources and sinks
/// use one each so device I/O never blocks the caller.
final class MediaThread: @unchecked Sendable {
    private let stopFlag = Atomic<Bool>(false)
    private var thread: pthread_t?
    let name: String

    private final class Box {
        let body: (MediaThread) -> Void
        let owner: MediaThread
        init(_ body: @escaping (MediaThread) -> Void, _ owner: MediaThread) { self.body = body; self.owner = owner }
    }

    /// Starts `body` on a new thread; `body` should return soon after `isStopping` turns true.
    init(name: String, body: @escaping (MediaThread) -> Void) {
        self.name = name
        let box = Unmanaged.passRetained(Box(body, self)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            box.body(box.owner)
            return nil
        }, box)
        precondition(rc == 0, "cannot start thread \(name): \(rc)")
        thread = tid
    }

    var isStopping: Bool { stopFlag.load(ordering: .acquiring) }

    /// Asks the loop to finish and waits for it (no-op from the thread itself or when done).
    func stopAndJoin() {
        stopFlag.store(true, ordering: .releasing)
        guard let t = thread else { return }
        if pthread_equal(t, pthread_self()) != 0 { return }
        thread = nil
        pthread_join(t, nil)
    }

    /// Sleeps until `deadlineNs` in slices so a stop request is noticed within `sliceNs`.
    /// Returns false when stopping.
    func sleep(untilNs deadlineNs: UInt64, sliceNs: UInt64 = 50_000_000) -> Bool {
        while !isStopping {
            let now = MonotonicClock.now()
            if now >= deadlineNs { return true }
            MonotonicClock.sleep(untilNs: min(deadlineNs, now + sliceNs))
        }
        return false
    }
}
