import Testing
import Media
@testable import Capture

/// Collects everything a queue delivers for `seconds`.
func collect<T>(_ queue: BoundedQueue<T>, seconds: Double) -> [T] {
    var out: [T] = []
    let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
    while MonotonicClock.now() < deadline {
        if let e = queue.pop(timeoutNs: 10_000_000) { out.append(e) }
    }
    return out
}

@Suite struct SourcePacingTests {
    @Test func testPatternSourceRunsAtRealTimeWithSequentialStamps() throws {
        let source = TestPatternSource(width: 160, height: 120, fps: 30)
        let queue = BoundedQueue<VideoFrame>(capacity: 100)
        try source.start(into: queue)
        let frames = collect(queue, seconds: 1.0)
        source.stop()
        // 30 fps for one second, give or take scheduling on a busy machine.
        #expect(frames.count >= 25 && frames.count <= 32, "got \(frames.count) frames")
        let stamps = frames.compactMap { TestPattern.decode($0) }
        #expect(stamps.count == frames.count)
        #expect(stamps.map(\.frameCounter) == (0..<UInt32(stamps.count)).map { $0 })
        #expect(zip(stamps, frames).allSatisfy { $0.timestampNs == $1.timestampNs })
        // Absolute deadlines: no drift, so n frames span (n-1)/30 s.
        if let first = frames.first, let last = frames.last, frames.count > 10 {
            let span = Double(last.timestampNs - first.timestampNs) / 1e9
            let expected = Double(frames.count - 1) / 30
            #expect(abs(span - expected) < 0.05, "span \(span) s for \(frames.count) frames")
        }
    }

    @Test func slowConsumerLosesOldestFramesAndTheyAreCounted() throws {
        let source = TestPatternSource(width: 64, height: 48, fps: 100)
        let queue = BoundedQueue<VideoFrame>(capacity: 3)
        try source.start(into: queue)
        MonotonicClock.sleep(untilNs: MonotonicClock.now() + 400_000_000)
        source.stop()
        let produced = Int(source.framesProduced)
        #expect(produced > 10)
        #expect(queue.count == 3)
        #expect(queue.droppedCount == produced - 3)
        // What is left is the newest frames, in order.
        let left = (0..<3).compactMap { _ in queue.tryPop() }.compactMap { TestPattern.decode($0)?.frameCounter }
        #expect(left == [UInt32(produced - 3), UInt32(produced - 2), UInt32(produced - 1)])
    }

    @Test func toneSourceRunsAtRealTimeAndCarriesMarkers() throws {
        let source = ToneSource(channels: 2)
        let queue = BoundedQueue<AudioFrame>(capacity: 200)
        try source.start(into: queue)
        let frames = collect(queue, seconds: 1.2)
        source.stop()
        #expect(frames.count >= 52 && frames.count <= 61, "got \(frames.count) frames")
        #expect(frames.allSatisfy { $0.channels == 2 && $0.samples.count == 1920 })
        let samples = frames.flatMap(\.samples)
        #expect(samples == (0..<frames.count).flatMap { ToneSignal.frame(index: $0, channels: 2, timestampNs: 0).samples })
        let markers = ToneSignal.findMarkers(in: samples, channels: 2)
        #expect(markers.count == 2)
        // 20 ms frames at real time: timestamps 20 ms apart on average.
        if frames.count > 10 {
            let span = Double(frames.last!.timestampNs - frames.first!.timestampNs) / 1e9
            #expect(abs(span - Double(frames.count - 1) * 0.02) < 0.05)
        }
    }

    @Test func nullMicrophoneIsHeldToRealTime() throws {
        let source = try AlsaCaptureSource(device: "null")
        let queue = BoundedQueue<AudioFrame>(capacity: 1000)
        try source.start(into: queue)
        let frames = collect(queue, seconds: 1.0)
        source.stop()
        // At most the 200 ms head start plus one second of 20 ms frames.
        #expect(frames.count >= 40 && frames.count <= 65, "got \(frames.count) frames")
        #expect(queue.droppedCount == 0)
    }
}
