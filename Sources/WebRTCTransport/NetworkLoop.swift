import CNice
import Foundation

/// The network thread of one peer connection: a GMainContext run by a GMainLoop on its own GLib thread.
///
/// libnice, DTLS and SRTP state is touched only on this thread; other threads post closures with
/// `invoke` (GLib's context APIs used here are thread-safe, the pointers never change after init).
package final class NetworkLoop: @unchecked Sendable {
    let context: OpaquePointer      // GMainContext*
    private let loop: OpaquePointer // GMainLoop*
    private let stateLock = NSLock()
    private var thread: UnsafeMutablePointer<GThread>?

    /// Starts the thread; `name` shows in debuggers and `top -H`.
    package init(name: String = "tuicall-net") {
        context = g_main_context_new()
        loop = g_main_loop_new(context, 0)
        // The thread keeps its own reference so it may outlive `self` when stopped from itself.
        g_main_loop_ref(loop)
        thread = g_thread_new(name, { data in
            let loop = OpaquePointer(data!)
            let context = g_main_loop_get_context(loop)
            g_main_context_push_thread_default(context)
            g_main_loop_run(loop)
            g_main_context_pop_thread_default(context)
            g_main_loop_unref(loop)
            return nil
        }, UnsafeMutableRawPointer(loop))
    }

    /// True when called on this loop's thread.
    package var isCurrent: Bool { g_main_context_is_owner(context) != 0 }

    /// Runs `body` on the network thread soon (never inline).
    package func invoke(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(ClosureBox(body)).toOpaque()
        let source = g_idle_source_new()
        g_source_set_priority(source, 0)  // G_PRIORITY_DEFAULT: before idle work, with I/O
        g_source_set_callback(source, { ud in
            Unmanaged<ClosureBox>.fromOpaque(ud!).takeUnretainedValue().body()
            return 0  // G_SOURCE_REMOVE
        }, box, { ud in Unmanaged<ClosureBox>.fromOpaque(ud!).release() })
        g_source_attach(source, context)
        g_source_unref(source)
    }

    /// Runs `body` on the network thread and waits for its result (inline when already there).
    package func sync<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        if isCurrent { return body() }
        let result = ResultBox<T>()
        invoke { result.set(body()) }
        return result.wait()
    }

    /// Calls `body` every `intervalMs` on the network thread until it returns false or `cancel` is called.
    @discardableResult
    package func every(ms intervalMs: UInt32, _ body: @escaping @Sendable () -> Bool) -> LoopTimer {
        let timer = LoopTimer()
        let source = g_timeout_source_new(intervalMs)!
        g_source_set_callback(source, { ud in
            Unmanaged<TimerBox>.fromOpaque(ud!).takeUnretainedValue().body() ? 1 : 0
        }, Unmanaged.passRetained(TimerBox(body)).toOpaque(), { ud in Unmanaged<TimerBox>.fromOpaque(ud!).release() })
        timer.source = source
        g_source_attach(source, context)
        return timer
    }

    /// Calls `body` once after `delayMs` on the network thread unless cancelled first.
    @discardableResult
    package func after(ms delayMs: UInt32, _ body: @escaping @Sendable () -> Void) -> LoopTimer {
        every(ms: delayMs) { body(); return false }
    }

    /// Runs `body` on the network thread, or here when that thread has ended: for freeing C objects that
    /// belong to the loop from a deinit on any thread.
    package func release(_ body: @escaping @Sendable () -> Void) {
        let running = stateLock.withLock { () -> Bool in
            guard thread != nil else { return false }
            invoke(body)  // under the lock, so `stop` drains it if it quits first
            return true
        }
        if !running { body() }
    }

    /// Stops the loop and joins its thread (from the thread itself it only stops, without joining).
    /// Work posted before the stop still runs (here, after the join), so nothing posted is lost.
    package func stop() {
        let t: UnsafeMutablePointer<GThread>? = stateLock.withLock {
            defer { thread = nil }
            return thread
        }
        guard let t else { return }
        g_main_loop_quit(loop)
        if isCurrent {
            g_thread_unref(t)
            return
        }
        g_thread_join(t)
        while g_main_context_iteration(context, 0) != 0 {}
    }

    deinit {
        stop()
        g_main_loop_unref(loop)
        g_main_context_unref(context)
    }
}

/// A GLib timer source; `cancel()` is safe from any thread and more than once.
package final class LoopTimer: @unchecked Sendable {
    fileprivate var source: UnsafeMutablePointer<GSource>?
    private let lock = NSLock()

    /// Removes the timer from its loop.
    package func cancel() {
        let s: UnsafeMutablePointer<GSource>? = lock.withLock { defer { source = nil }; return source }
        guard let s else { return }
        g_source_destroy(s)
        g_source_unref(s)
    }

    // Dropping the handle keeps the timer running; only `cancel()` stops it.
    deinit { if let s = source { g_source_unref(s) } }
}

private final class ClosureBox {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

private final class TimerBox {
    let body: @Sendable () -> Bool
    init(_ body: @escaping @Sendable () -> Bool) { self.body = body }
}

private final class ResultBox<T>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: T?
    func set(_ v: T) { value = v; semaphore.signal() }
    func wait() -> T { semaphore.wait(); return value! }
}
