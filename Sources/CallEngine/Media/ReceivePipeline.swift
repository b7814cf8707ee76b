import Codecs
import Media
import RTP
import Synchronization

/// The media-specific half of an `RtpReceiver`: depacketizing on the network thread, decoding or playout on
/// its own thread, into the sinks.
protocol ReceivePipeline: AnyObject, Sendable {
    static var kind: String { get }
    var clockRate: Int { get }
    /// Starts the decode or playout thread; it updates `statistics` as it goes.
    func start(statistics: InboundStatistics) throws
    func stop()
    /// Network thread: one accepted packet; the frames it completed (keyframe or not).
    func insert(_ packet: RtpPacket, nowNs: UInt64) -> [Bool]
    /// Network thread, feedback timer: frames completed by time (late packets given up).
    func poll(nowNs: UInt64) -> [Bool]
    /// Network thread: the depacketizer or decoder lost its reference.
    var needsKeyframe: Bool { get }
    /// Network thread: the oldest sequence number still waited for.
    var firstWantedSequenceNumber: UInt16? { get }
    /// Network thread.
    func updateRtt(_ rttNs: UInt64)
    /// Network thread: the peer's SSRC changed.
    func restart()
}

/// A receiver's statistics, shared by the network thread and the decode or playout thread.
final class InboundStatistics: Sendable {
    let state: Mutex<(stats: InboundStreamStats, fps: RateWindow, bits: RateWindow)>
    init(mid: String, kind: String) { state = Mutex((InboundStreamStats(mid: mid, kind: kind), RateWindow(), RateWindow())) }
    func update(_ body: (inout InboundStreamStats) -> Void) { state.withLock { body(&$0.stats) } }
}
