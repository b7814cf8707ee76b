import Foundation
import Media
import Render
import Synchronization

/// Owns the whole path from a video job to terminal bytes on its own thread (compose the cells,
/// find the damage, encode the escapes), so the UI thread only writes finished bytes in order with
/// ncurses. Only the newest job is kept (a slow render skips stale frames). At most one output
/// waits for the UI: the next job is not drawn until the UI took it, because the damage state
/// assumes every output reaches the terminal. `onResult` wakes the UI.
final class VideoRenderWorker: Sendable {
    private struct State {
        var job: VideoJob?
        var output: VideoOutput?
        var stopped = false
    }
    private let state = Mutex(State())
    private let signal = ConditionSignal()
    private let thread = Mutex<MediaThread?>(nil)
    private let onResult: @Sendable () -> Void

    init(asciiOnly: Bool, onResult: @escaping @Sendable () -> Void) {
        self.onResult = onResult
        let started = MediaThread(name: "tuicall-video-render") { [self] _ in
            run(VideoCompositor(asciiOnly: asciiOnly), VideoPane())
        }
        thread.withLock { $0 = started }
    }

    /// Replaces the pending job.
    func submit(_ job: VideoJob) {
        state.withLock { $0.job = job }
        signal.wakeAll()
    }

    /// The finished output, if any; taking it lets the worker draw the next job.
    func takeOutput() -> VideoOutput? {
        let output = state.withLock { s in defer { s.output = nil }; return s.output }
        if output != nil { signal.wakeAll() }
        return output
    }

    /// Ends the thread (after the job in progress).
    func stop() {
        state.withLock { $0.stopped = true }
        signal.wakeAll()
        thread.withLock { $0 }?.stopAndJoin()
    }

    private func run(_ compositor: VideoCompositor, _ pane: VideoPane) {
        while true {
            let gen = signal.generation
            let (job, stopped) = state.withLock { s -> (VideoJob?, Bool) in
                if s.output != nil { return (nil, s.stopped) }
                defer { s.job = nil }
                return (s.job, s.stopped)
            }
            if stopped { return }
            guard let job else {
                signal.wait(ifGeneration: gen, timeoutNs: 500_000_000)
                continue
            }
            let grid = compositor.compose(job)
            let output = pane.draw(grid, origin: (job.originX, job.originY), generation: job.generation)
            state.withLock { $0.output = output }
            onResult()
        }
    }
}
