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
    private let wake: Mutex<@Sendable () -> Void>

    init(onPost: @escaping @Sendable () -> Void = {}) { wake = Mutex(onPost) }

    /// Replaces what wakes the consumer (the UI sets it once it has its wake pipe).
    func setOnPost(_ onPost: @escaping @Sendable () -> Void) { wake.withLock { $0 = onPost } }

    private func onPost() { wake.withLock { $0 }() }

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

/// Decoded remote video goes straight from the decode thread into the UI's mailbox.
extension LatestFrameMailbox: VideoSink {
    var name: String { "video pane" }
    func accept(_ frame: VideoFrame) { post(frame) }
    func close() {}
}
