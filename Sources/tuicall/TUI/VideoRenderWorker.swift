import Foundation
import Media
import Render
import Synchronization

/// Renders video jobs on its own thread so the UI thread never spends a frame's rendering time
/// away from the keyboard. Only the newest job is kept (a slow render skips stale frames), and
/// only the newest result; `onResult` wakes the UI.
final class VideoRenderWorker: Sendable {
    private struct State {
        var job: VideoJob?
        var result: (grid: CellGrid, generation: Int)?
        var stopped = false
    }
    private let state = Mutex(State())
    private let signal = ConditionSignal()
    private let thread = Mutex<MediaThread?>(nil)
    private let onResult: @Sendable () -> Void

    init(asciiOnly: Bool, onResult: @escaping @Sendable () -> Void) {
        self.onResult = onResult
        let started = MediaThread(name: "tuicall-video-render") { [self] _ in run(VideoCompositor(asciiOnly: asciiOnly)) }
        thread.withLock { $0 = started }
    }

    /// Replaces the pending job.
    func submit(_ job: VideoJob) {
        state.withLock { $0.job = job }
        signal.wakeAll()
    }

    /// The newest finished grid and the generation it was made for.
    func takeResult() -> (grid: CellGrid, generation: Int)? {
        state.withLock { s in defer { s.result = nil }; return s.result }
    }

    /// Ends the thread (after the job in progress).
    func stop() {
        state.withLock { $0.stopped = true }
        signal.wakeAll()
        thread.withLock { $0 }?.stopAndJoin()
    }

    private func run(_ compositor: VideoCompositor) {
        while true {
            let gen = signal.generation
            let (job, stopped) = state.withLock { s -> (VideoJob?, Bool) in
                defer { s.job = nil }
                return (s.job, s.stopped)
            }
            if stopped { return }
            guard let job else {
                signal.wait(ifGeneration: gen, timeoutNs: 500_000_000)
                continue
            }
            let grid = compositor.compose(job)
            state.withLock { $0.result = (grid, job.generation) }
            onResult()
        }
    }
}
