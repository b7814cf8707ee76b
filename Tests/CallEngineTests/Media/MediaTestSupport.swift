@testable import Benchmarks
@testable import CallEngine
import Capture
import Foundation
import Media
import Synchronization

/// Records what a user would see: the test-pattern stamp, size and arrival time of every decoded frame.
final class StampCollectingSink: VideoSink, @unchecked Sendable {
    struct Seen: Sendable { var counter: UInt32?; var width: Int; var height: Int; var atNs: UInt64 }
    let name = "test video sink"
    private let seen = Mutex<[Seen]>([])

    func accept(_ frame: VideoFrame) {
        let stamp = TestPattern.decode(frame)
        seen.withLock { $0.append(Seen(counter: stamp?.frameCounter, width: frame.width, height: frame.height,
                                       atNs: MonotonicClock.now())) }
    }
    func close() {}
    var all: [Seen] { seen.withLock { $0 } }

    /// Longest time between two consecutive decoded frames after `fromNs`.
    func longestGapNs(after fromNs: UInt64) -> UInt64 {
        let times = all.map(\.atNs).filter { $0 >= fromNs }
        return zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? .max
    }
}

/// Records every played-out sample (mono).
final class SampleCollectingSink: AudioSink, @unchecked Sendable {
    let name = "test audio sink"
    var failure: CaptureError? { nil }
    private let samples = Mutex<[Int16]>([])
    func accept(_ frame: AudioFrame) { samples.withLock { $0 += frame.samples } }
    func close() {}
    var all: [Int16] { samples.withLock { $0 } }
}

/// A test pattern whose size changes after `switchAfter` frames (like a browser ramping up its resolution).
final class ResizingPatternSource: VideoSource, @unchecked Sendable {
    let name = "resizing test pattern"
    var failure: CaptureError? { nil }
    let sizes: [(Int, Int)]
    let switchAfter: Int
    let fps: Double
    private let stopping = Atomic<Bool>(false)
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    init(sizes: [(Int, Int)], switchAfter: Int, fps: Double = 30) {
        self.sizes = sizes; self.switchAfter = switchAfter; self.fps = fps
    }

    func start(into queue: BoundedQueue<VideoFrame>) throws {
        let t = Thread { [self] in
            let start = MonotonicClock.now()
            var n = 0
            while !stopping.load(ordering: .relaxed) {
                MonotonicClock.sleep(untilNs: start + UInt64(Double(n) * 1e9 / fps))
                let (w, h) = sizes[min(n / switchAfter, sizes.count - 1)]
                queue.push(TestPattern.frame(width: w, height: h, counter: UInt32(n), timestampNs: MonotonicClock.now()))
                n += 1
            }
            done.signal()
        }
        thread = t
        t.start()
    }

    func stop() {
        guard thread != nil, !stopping.exchange(true, ordering: .relaxed) else { return }
        done.wait()
    }
}

/// Both ends of an in-process call with media running both ways.
final class MediaCallHarness: @unchecked Sendable {
    let call: LoopbackCall
    let caller: MediaSession
    let callee: MediaSession
    let callerVideo = StampCollectingSink(), calleeVideo = StampCollectingSink()
    let callerAudio = SampleCollectingSink(), calleeAudio = SampleCollectingSink()

    init(callerSource: VideoSource = TestPatternSource(width: 320, height: 240, fps: 30),
         calleeSource: VideoSource = TestPatternSource(width: 320, height: 240, fps: 30),
         drop: RtpDropHook? = nil, rtx: Bool = true) throws {
        call = try LoopbackCall(rtx: rtx)
        try call.connect()
        caller = MediaSession(peerConnection: call.caller, options: MediaSessionOptions(cname: "caller", dropOutgoingRtp: drop))
        callee = MediaSession(peerConnection: call.callee, options: MediaSessionOptions(cname: "callee", dropOutgoingRtp: drop))
        caller.addVideoSink(callerVideo); caller.addAudioSink(callerAudio)
        callee.addVideoSink(calleeVideo); callee.addAudioSink(calleeAudio)
        try caller.start(video: callerSource, audio: ToneSource())
        try callee.start(video: calleeSource, audio: ToneSource())
    }

    func stop() {
        caller.stop()
        callee.stop()
        call.close()
    }
}

/// A seeded random loss decision shared by the send paths of a test (seeded, so a failing run can be replayed).
final class RandomLoss: Sendable {
    private let random: Mutex<SplitMix64>
    let probability: Double
    init(probability: Double, seed: UInt64 = 0x5EED) { self.probability = probability; random = Mutex(SplitMix64(seed: seed)) }
    func shouldDrop() -> Bool { random.withLock { $0.unit() } < probability }
}

func sleepSeconds(_ s: Double) { MonotonicClock.sleep(untilNs: MonotonicClock.now() + UInt64(s * 1e9)) }

/// Polls `condition` every 50 ms until it holds or `seconds` pass (real-time tests on a loaded machine).
@discardableResult
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = MonotonicClock.now() + UInt64(seconds * 1e9)
    while MonotonicClock.now() < deadline {
        if condition() { return true }
        sleepSeconds(0.05)
    }
    return condition()
}
