/// When to show a decoded frame: its capture time on our clock plus a playout delay that covers how late 90 % of
/// the recent frames were. Lateness is a frame's completion time less its RTP timestamp, above the least of the
/// window (the least-delayed frame), so it holds network jitter and, under loss, a NACK round trip for the frames
/// that needed one. Chromium's jitter buffer does the same with its jitter estimate plus an RTT while it NACKs:
/// a frame held up by a retransmission then shows on time or nearly, instead of the picture stalling for the
/// round trip. On a clean path the delay is a few milliseconds.
package struct VideoPlayoutTiming: Sendable {
    /// Frames the lateness is taken over: 300 (10 s at 30 fps).
    package static let window = 300
    /// Share of frames the delay covers: 90 %. At 10 % loss about a quarter of 640x480 frames wait for one NACK
    /// round trip and 5 % for two; covering the first kind hides most stalls, covering the second adds ~150 ms
    /// to every frame for little.
    package static let coveredShare = 0.90
    /// Most playout delay: 400 ms (a longer stall is shown as one).
    package static let maxDelayNs: Int64 = 400_000_000
    /// A timestamp jump this far off the clock (a new source, a paused sender's clock) starts the window again.
    package static let resetJumpNs: Int64 = 2_000_000_000
    static let clockRate: Int64 = 90_000

    private var offsets: [Int64] = []
    private var next = 0
    private var lastTimestamp: UInt32?
    private var unwrapped: Int64 = 0
    private var lastOffset: Int64?
    /// The playout delay in force.
    package private(set) var delayNs: Int64 = 0

    package init() {}

    /// Monotonic time to show the frame with `rtpTimestamp` that was complete at `arrivalNs` (earlier than
    /// `arrivalNs` when the frame was late: show it at once).
    package mutating func renderTimeNs(rtpTimestamp: UInt32, arrivalNs: UInt64) -> UInt64 {
        if let last = lastTimestamp { unwrapped += Int64(Int32(bitPattern: rtpTimestamp &- last)) }
        lastTimestamp = rtpTimestamp
        let offset = Int64(arrivalNs) - unwrapped * 1_000_000_000 / Self.clockRate
        if let last = lastOffset, abs(offset - last) > Self.resetJumpNs { offsets.removeAll(); next = 0 }
        lastOffset = offset
        if offsets.count < Self.window { offsets.append(offset) } else { offsets[next] = offset }
        next = (next + 1) % Self.window
        let sorted = offsets.sorted()
        let least = sorted[0]
        let covered = sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * Self.coveredShare))]
        delayNs = min(covered - least, Self.maxDelayNs)
        let lateness = offset - least
        return UInt64(max(0, Int64(arrivalNs) - lateness + delayNs))
    }
}
