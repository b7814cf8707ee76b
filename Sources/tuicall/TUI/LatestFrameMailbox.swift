import Media
import Synchronization

/// Holds only the newest video frame: a producer at any rate never queues work for the UI,
/// which shows whatever is latest when it gets to it. Posting wakes the UI.
final class LatestFrameMailbox: Sendable {
    private struct State {
        var frame: VideoFrame?
        /// Frames posted in total (the UI derives a rate from it).
        var posted = 0
        /// Frames replaced before the UI took them.
        var replaced = 0
    }
    private let state = Mutex(State())
    private let onPost: @Sendable () -> Void

    init(onPost: @escaping @Sendable () -> Void = {}) { self.onPost = onPost }

    /// Replaces the pending frame and wakes the consumer.
    func post(_ frame: VideoFrame) {
        state.withLock { s in
            if s.frame != nil { s.replaced += 1 }
            s.frame = frame
            s.posted += 1
        }
        onPost()
    }

    /// Takes the pending frame, if any.
    func take() -> VideoFrame? { state.withLock { s in defer { s.frame = nil }; return s.frame } }

    /// Wakes the consumer without a frame (the producer has news, e.g. it stopped).
    func wakeOnly() { onPost() }

    /// Frames posted so far.
    var postedCount: Int { state.withLock { $0.posted } }
}
