import Capture
import CallEngine
import Media
import Synchronization

/// Glass-to-glass latency of received test-pattern video: decodes the capture time the peer stamped into
/// each frame (same host clock only). Injected as a video sink by `bench call`, `headless --stats-json` and
/// tests; calls without it never pay for the decoding.
package final class TestPatternLatencyProbe: VideoSink, Sendable {
    /// Latency samples kept for percentiles (the most recent ones).
    package static let maxSamples = 3_000
    package let name = "latency probe"
    private let state = Mutex<(latenciesMs: [Double], firstFrameNs: UInt64?)>(([], nil))

    package init() {}

    package func accept(_ frame: VideoFrame) {
        let now = MonotonicClock.now()
        let stamp = TestPattern.decode(frame, referenceNs: now)
        state.withLock { s in
            if s.firstFrameNs == nil { s.firstFrameNs = now }
            guard let stamp, stamp.timestampNs <= now else { return }
            if s.latenciesMs.count >= Self.maxSamples { s.latenciesMs.removeFirst(s.latenciesMs.count / 2) }
            s.latenciesMs.append(Double(now - stamp.timestampNs) / 1e6)
        }
    }

    package func close() {}

    package var firstFrameNs: UInt64? { state.withLock { $0.firstFrameNs } }

    /// The latencies measured so far, ascending.
    package var sortedLatenciesMs: [Double] { state.withLock { $0.latenciesMs }.sorted() }

    /// Fills the latency fields of a call's statistics.
    package func fill(_ stats: inout CallStats) {
        let sorted = sortedLatenciesMs
        stats.latencySamples = sorted.count
        stats.latencyP50Ms = Percentiles.nearestRank(sorted: sorted, 0.5)
        stats.latencyP95Ms = Percentiles.nearestRank(sorted: sorted, 0.95)
    }
}
