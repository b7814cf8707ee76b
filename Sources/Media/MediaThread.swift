#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A named OS thread that runs a loop until asked to stop, then is joined: the one thread primitive of
/// the media code (capture and playout devices, codec threads, the render worker).
public final class MediaThread: Sendable {
    private let stopFlag = Atomic<Bool>(false)
    private let thread = Mutex<pthread_t?>(nil)
    public let name: String

    private final class Box {
        let body: (MediaThread) -> Void
        let owner: MediaThread
        init(_ body: @escaping (MediaThread) -> Void, _ owner: MediaThread) { self.body = body; self.owner = owner }
    }

    /// Starts `body` on a new thread; `body` should return soon after `isStopping` turns true.
    /// The OS thread carries `name` (its first 15 bytes), as `top -H` and debuggers show it.
    public init(name: String, body: @escaping (MediaThread) -> Void) {
        self.name = name
        let box = Unmanaged.passRetained(Box(body, self)).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(&tid, nil, { arg in
            let box = Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue()
            Thread.current.name = box.owner.name  // Foundation sets the OS thread name too
            box.body(box.owner)
            return nil
        }, box)
        precondition(rc == 0, "cannot start thread \(name): \(rc)")
        thread.withLock { $0 = tid }
    }

    public var isStopping: Bool { stopFlag.load(ordering: .acquiring) }

    /// Asks the loop to finish and waits for it (no-op from the thread itself or when done); any thread, any
    /// number of times.
    public func stopAndJoin() {
        stopFlag.store(true, ordering: .releasing)
        let t: pthread_t? = thread.withLock { t in
            guard let current = t, pthread_equal(current, pthread_self()) == 0 else { return nil }
            t = nil
            return current
        }
        if let t { pthread_join(t, nil) }
    }

    /// Sleeps until `deadlineNs` in slices so a stop request is noticed within `sliceNs`.
    /// Returns false when stopping.
    public func sleep(untilNs deadlineNs: UInt64, sliceNs: UInt64 = 50_000_000) -> Bool {
        while !isStopping {
            let now = MonotonicClock.now()
            if now >= deadlineNs { return true }
            MonotonicClock.sleep(untilNs: min(deadlineNs, now + sliceNs))
        }
        return false
    }
}
