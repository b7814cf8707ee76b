import Codecs
import Foundation
import Media
import RTP
import Synchronization
import WebRTCTransport

/// Received VP8: frame assembly on the network thread → bounded frame queue → decode thread → playout time
/// (`VideoPlayoutTiming`) → video sinks. When the decoder falls behind, the oldest frames go and a keyframe is
/// asked for.
/// `@unchecked Sendable`: the assembler is loop-bound, the decoder lives on the decode thread.
final class VideoReceivePipeline: ReceivePipeline, @unchecked Sendable {
    static let kind = "video"
    /// Assembled frames waiting for the decoder: 64 (2 s at 30 fps). A frame waiting for a retransmission holds
    /// up the ones after it, which then arrive at once (up to the assembler's 1 s wait); dropping any of them
    /// would cost a keyframe, so only a decoder that falls seconds behind loses frames.
    static let queueCapacity = 64
    static let pollNs: UInt64 = 100_000_000
    /// getStats freeze rule: a gap longer than max(3 × mean interval, mean + 150 ms).
    static let freezeExtraNs = 150_000_000.0

    let clockRate = 90_000
    private let mid: String
    private let sinks: SinkSet<any VideoSink>
    private let queue = BoundedQueue<AssembledFrame>(capacity: queueCapacity)
    private let decoderWantsKeyframe = Atomic<Bool>(false)
    private let thread = Mutex<MediaThread?>(nil)
    private let assembler: LoopBound<FrameAssembler>

    init(mid: String, sinks: SinkSet<any VideoSink>, loop: NetworkLoop) {
        self.mid = mid
        self.sinks = sinks
        assembler = LoopBound(FrameAssembler(), loop: loop)
    }

    func start(statistics: InboundStatistics) throws {
        let owned = HandOver(try VP8Decoder())
        let (queue, sinks) = (queue, sinks)
        let started = MediaThread(name: "video-decode-\(mid)") { [self] t in
            let decoder = owned.value
            var seenDrops = 0
            var lastShownNs: UInt64?
            var meanIntervalNs = 0.0
            var shown = 0
            var playout = VideoPlayoutTiming()
            while !t.isStopping {
                guard let frame = queue.pop(timeoutNs: Self.pollNs) else { continue }
                let drops = queue.droppedCount
                let skipped = drops - seenDrops
                seenDrops = drops
                let result = (try? decoder.decode(frame.data, missingBefore: frame.missingBefore || skipped > 0,
                                                   timestampNs: frame.arrivalNs)) ?? .needsKeyframe(.corrupted)
                decoderWantsKeyframe.store(decoder.needsKeyframe, ordering: .relaxed)
                if case .frame = result {
                    Self.wait(until: playout.renderTimeNs(rtpTimestamp: frame.rtpTimestamp, arrivalNs: frame.arrivalNs), t)
                }
                let now = MonotonicClock.now()
                switch result {
                case .frame(var picture):
                    picture.timestampNs = now
                    var freeze: Double?, longGap: FrameGap?
                    if let last = lastShownNs {
                        let gap = Double(now - last)
                        if shown > 1 && gap > max(3 * meanIntervalNs, meanIntervalNs + Self.freezeExtraNs) { freeze = gap }
                        meanIntervalNs = shown == 1 ? gap : meanIntervalNs * 0.9 + gap * 0.1
                        if gap / 1e6 >= FrameGap.longMs {
                            longGap = FrameGap(endUnixMs: Int64(Date().timeIntervalSince1970 * 1000), durationMs: gap / 1e6)
                        }
                    }
                    lastShownNs = now
                    shown += 1
                    statistics.state.withLock {
                        $0.stats.framesDecoded += 1
                        $0.stats.framesDropped += skipped
                        if frame.isKeyframe { $0.stats.keyframesDecoded += 1 }
                        $0.stats.playoutDelayMs = Double(playout.delayNs) / 1e6
                        $0.stats.width = picture.width
                        $0.stats.height = picture.height
                        if let freeze { $0.stats.freezeCount += 1; $0.stats.totalFreezesDurationMs += freeze / 1e6 }
                        if let gap = longGap { Self.note(gap, in: &$0.stats) }
                        $0.fps.add(1, nowNs: now)
                    }
                    for sink in sinks.all { sink.accept(picture) }
                case .hidden:
                    statistics.update { $0.framesDropped += skipped }
                case .needsKeyframe:
                    statistics.update { $0.framesDropped += skipped + 1 }
                }
            }
        }
        thread.withLock { $0 = started }
    }

    func stop() {
        queue.close()
        thread.withLock { $0 }?.stopAndJoin()
    }

    // MARK: network thread

    func insert(_ packet: RtpPacket, nowNs: UInt64) -> [Bool] { deliver(assembler.value.insert(packet, arrivalNs: nowNs)) }

    func poll(nowNs: UInt64) -> [Bool] { deliver(assembler.value.poll(nowNs: nowNs)) }

    private func deliver(_ frames: [AssembledFrame]) -> [Bool] {
        for f in frames { queue.push(f) }
        return frames.map(\.isKeyframe)
    }

    /// Decode thread: sleeps until `renderNs` (a frame's playout time), or until the pipeline stops.
    private static func wait(until renderNs: UInt64, _ thread: MediaThread) {
        while !thread.isStopping {
            let now = MonotonicClock.now()
            guard renderNs > now else { return }
            usleep(UInt32(min(renderNs - now, 10_000_000) / 1000))
        }
    }

    /// Counts a long freeze and keeps the newest `FrameGap.kept`.
    private static func note(_ gap: FrameGap, in stats: inout InboundStreamStats) {
        stats.longFreezeCount += 1
        stats.longFreezesDurationMs += gap.durationMs
        stats.longFreezes.append(gap)
        if stats.longFreezes.count > FrameGap.kept { stats.longFreezes.removeFirst() }
    }

    var needsKeyframe: Bool { assembler.value.needsKeyframe || decoderWantsKeyframe.load(ordering: .relaxed) }
    var firstWantedSequenceNumber: UInt16? { assembler.value.firstWantedSequenceNumber }
    func updateRtt(_ rttNs: UInt64) { assembler.value.updateRtt(rttNs) }
    func restart() { assembler.value = FrameAssembler() }
}
