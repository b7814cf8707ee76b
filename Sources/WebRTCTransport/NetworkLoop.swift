import CNice
import Foundation
import Synchronization

/// The network thread of one peer connection: a GMainContext run by a GMainLoop on its own GLib thread.
///
/// libnice, DTLS, SRTP and RTP state is touched only on this thread (`LoopBound` checks it); other threads
/// post closures with `invoke`. `@unchecked Sendable`: GLib's context APIs used here are thread-safe and the
/// pointers never change after init; the thread handle is behind `thread`'s Mutex.
package final class NetworkLoop: @unchecked Sendable {
    let context: OpaquePointer      // GMainContext*
    private let loop: OpaquePointer // GMainLoop*
    private let thread = Mutex<ThreadHandle?>(nil)

    private struct ThreadHandle: @unchecked Sendable {  // a GThread*, joined or unreffed once by `stop`
        let pointer: UnsafeMutablePointer<GThread>
    }

    /// Starts the thread; `name` shows in debuggers and `top -H`.
    package init(name: String = "tuicall-net") {
        context = g_main_context_new()
        loop = g_main_loop_new(context, 0)
        // The thread keeps its own reference so it may outlive `self` when stopped from itself.
        g_main_loop_ref(loop)
        let started = g_thread_new(name, { data in
            let loop = OpaquePointer(data!)
            let context = g_main_loop_get_context(loop)
            g_main_context_push_thread_default(context)
            g_main_loop_run(loop)
            g_main_context_pop_thread_default(context)
            g_main_loop_unref(loop)
            return nil
        }, UnsafeMutableRawPointer(loop))
        thread.withLock { $0 = started.map(ThreadHandle.init) }
    }

    /// True once `stop` has ended the thread: nothing runs on the loop any more, so its owner may touch
    /// loop-bound state from here (deinit).
    package var hasEnded: Bool { thread.withLock { $0 == nil } }

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
    /// After the thread has ended it runs inline too (nobody else can run it then).
    package func sync<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        if isCurrent || hasEnded { return body() }
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
        timer.set(source)
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
        let running = thread.withLock { t -> Bool in
            guard t != nil else { return false }
            invoke(body)  // under the lock, so `stop` drains it if it quits first
            return true
        }
        if !running { body() }
    }

    /// Stops the loop and joins its thread (from the thread itself it only stops, without joining).
    /// Work posted before the stop still runs (here, after the join), so nothing posted is lost.
    package func stop() {
        let current = isCurrent
        guard let t = thread.withLock({ t -> ThreadHandle? in defer { t = nil }; return t }) else { return }
        g_main_loop_quit(loop)
        if current {
            g_thread_unref(t.pointer)
            return
        }
        g_thread_join(t.pointer)
        while g_main_context_iteration(context, 0) != 0 {}
    }

    deinit {
        stop()
        g_main_loop_unref(loop)
        g_main_context_unref(context)
    }
}

/// A GLib timer source; `cancel()` is safe from any thread and more than once.
/// `@unchecked Sendable`: the source pointer is behind a Mutex and GLib's source calls are thread-safe.
package final class LoopTimer: @unchecked Sendable {
    private let source = Mutex<SourceHandle?>(nil)

    fileprivate struct SourceHandle: @unchecked Sendable { let pointer: UnsafeMutablePointer<GSource> }

    fileprivate func set(_ s: UnsafeMutablePointer<GSource>) { source.withLock { $0 = SourceHandle(pointer: s) } }

    /// Removes the timer from its loop.
    package func cancel() {
        guard let s = source.withLock({ s -> SourceHandle? in defer { s = nil }; return s }) else { return }
        g_source_destroy(s.pointer)
        g_source_unref(s.pointer)
    }

    // Dropping the handle keeps the timer running; only `cancel()` stops it.
    deinit { if let s = source.withLock({ $0 }) { g_source_unref(s.pointer) } }
}

/// State that lives on one network loop, the way NIO binds state to an event loop (`NIOLoopBound`): every
/// access checks that it runs on the loop's thread (or after the thread has ended), so the state needs no
/// lock and a wrong-thread access stops the program instead of racing.
/// `@unchecked Sendable`: that check is the guarantee.
package final class LoopBound<Value>: @unchecked Sendable {
    package let loop: NetworkLoop
    private var stored: Value

    /// `value` must not be shared yet (the owner is still being built).
    package init(_ value: Value, loop: NetworkLoop) {
        self.loop = loop
        stored = value
    }

    package var value: Value {
        _read { check(); yield stored }
        _modify { check(); yield &stored }
    }

    /// One exclusive access to the whole value (so a call may pass one of its fields inout to another).
    package func withValue<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        check()
        return try body(&stored)
    }

    private func check() {
        precondition(loop.isCurrent || loop.hasEnded, "loop-bound state touched off its network thread")
    }
}

private final class ClosureBox {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
}

private final class TimerBox {
    let body: @Sendable () -> Bool
    init(_ body: @escaping @Sendable () -> Bool) { self.body = body }
}

/// `@unchecked Sendable`: written once before the semaphore is signalled, read once after the wait.
private final class ResultBox<T>: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private var value: T?
    func set(_ v: T) { value = v; semaphore.signal() }
    func wait() -> T { semaphore.wait(); return value! }
}
