import Codecs
import Media
import RTP
import SDP
import Synchronization

/// The sinks one kind of received media goes to; changeable while running.
final class SinkSet<Sink: Sendable>: Sendable {
    private let sinks = Mutex<[Sink]>([])
    func add(_ sink: Sink) { sinks.withLock { $0.append(sink) } }
    var all: [Sink] { sinks.withLock { $0 } }
}

/// Inbound video of one m-line: network thread (RTX, stats, NACK, frame assembly) → bounded frame queue →
/// decode thread (VP8) → video sinks; asks for keyframes when the decoder or the assembler needs one.
final class VideoReceiver: @unchecked Sendable {
    /// Assembled frames waiting for the decoder; when it falls behind the oldest go and a keyframe is needed.
    static let queueCapacity = 8
    static let pollNs: UInt64 = 100_000_000
    /// getStats freeze rule: a gap longer than max(3 × mean interval, mean + 150 ms).
    static let freezeExtraNs = 150_000_000.0

    let media: NegotiatedMedia
    let payloadType: UInt8
    let rtxPayloadType: UInt8?
    private let queue = BoundedQueue<AssembledFrame>(capacity: queueCapacity)
    private let sinks: SinkSet<any VideoSink>
    private var worker: MediaThread?
    private let decoderWantsKeyframe = Atomic<Bool>(false)
    private let statsLock: Mutex<(stats: InboundStreamStats, fps: RateWindow, bits: RateWindow)>

    // Network thread only.
    private(set) var mediaSsrc: UInt32?
    private var receiveStats: ReceiveStatistics?
    private var assembler = FrameAssembler()
    private var nack = NackGenerator()
    private var keyframes = KeyframeRequester()

    init(media: NegotiatedMedia, codec: NegotiatedCodec, sinks: SinkSet<any VideoSink>) {
        self.media = media
        payloadType = codec.payloadType
        rtxPayloadType = codec.rtxPayloadType
        self.sinks = sinks
        mediaSsrc = media.remoteSsrc
        statsLock = Mutex((InboundStreamStats(mid: media.mid, kind: "video"), RateWindow(), RateWindow()))
    }

    func start() throws {
        let owned = HandOver(try VP8Decoder())
        let queue = queue
        worker = MediaThread(name: "video-decode-\(media.mid)") { [self] w in
            let decoder = owned.value
            var seenDrops = 0
            var lastShownNs: UInt64?
            var meanIntervalNs = 0.0
            var shown = 0
            while !w.isStopping {
                guard let frame = queue.pop(timeoutNs: Self.pollNs) else { continue }
                let drops = queue.droppedCount
                let skipped = drops - seenDrops
                seenDrops = drops
                let result = (try? decoder.decode(frame.data, missingBefore: frame.missingBefore || skipped > 0,
                                                   timestampNs: frame.arrivalNs)) ?? .needsKeyframe(.corrupted)
                decoderWantsKeyframe.store(decoder.needsKeyframe, ordering: .relaxed)
                let now = MonotonicClock.now()
                switch result {
                case .frame(var picture):
                    picture.timestampNs = now
                    var freeze: Double?
                    if let last = lastShownNs {
                        let gap = Double(now - last)
                        if shown > 1 && gap > max(3 * meanIntervalNs, meanIntervalNs + Self.freezeExtraNs) { freeze = gap }
                        meanIntervalNs = shown == 1 ? gap : meanIntervalNs * 0.9 + gap * 0.1
                    }
                    lastShownNs = now
                    shown += 1
                    statsLock.withLock {
                        $0.stats.framesDecoded += 1
                        $0.stats.framesDropped += skipped
                        if frame.isKeyframe { $0.stats.keyframesDecoded += 1 }
                        $0.stats.width = picture.width
                        $0.stats.height = picture.height
                        if let freeze { $0.stats.freezeCount += 1; $0.stats.totalFreezesDurationMs += freeze / 1e6 }
                        $0.fps.add(1, nowNs: now)
                    }
                    for sink in sinks.all { sink.accept(picture) }
                case .hidden:
                    statsLock.withLock { $0.stats.framesDropped += skipped }
                case .needsKeyframe:
                    statsLock.withLock { $0.stats.framesDropped += skipped + 1 }
                }
            }
        }
    }

    func stop() {
        queue.close()
        worker?.stopAndJoin()
        worker = nil
    }

    // MARK: network thread

    /// One RTP packet routed to this m-line (media or RTX).
    func receive(_ packet: RtpPacket, size: Int, nowNs: UInt64) {
        var p = packet
        var isRtx = false
        if let rtxPayloadType, p.payloadType == rtxPayloadType {
            guard let ssrc = mediaSsrc, let original = try? Rtx.decapsulate(p, mediaSsrc: ssrc, mediaPayloadType: payloadType),
                  !original.payload.isEmpty else { return }  // RTX padding probes carry no media
            p = original
            isRtx = true
        }
        guard p.payloadType == payloadType else { return }
        if mediaSsrc != p.ssrc || receiveStats == nil {
            if mediaSsrc != nil && mediaSsrc != p.ssrc { resetStream() }
            mediaSsrc = p.ssrc
            receiveStats = ReceiveStatistics(ssrc: p.ssrc, clockRate: 90_000)
        }
        receiveStats?.onPacket(sequenceNumber: p.sequenceNumber, rtpTimestamp: p.timestamp, payloadBytes: p.payload.count,
                               arrivalNs: nowNs, isRetransmission: isRtx)
        nack.onPacket(sequenceNumber: p.sequenceNumber, nowNs: nowNs)
        let rs = receiveStats
        statsLock.withLock {
            $0.stats.ssrc = p.ssrc
            $0.stats.bytesReceived += size
            $0.stats.packetsReceived = Int(rs?.packetsReceived ?? 0)
            $0.stats.packetsLost = Int(max(0, rs?.cumulativeLost ?? 0))
            $0.stats.jitterMs = (rs?.jitterNs ?? 0) / 1e6
            if isRtx { $0.stats.retransmittedPacketsReceived += 1 }
            $0.bits.add(size * 8, nowNs: nowNs)
        }
        deliver(assembler.insert(p, arrivalNs: nowNs), nowNs: nowNs)
    }

    private func resetStream() {
        assembler = FrameAssembler()
        nack = NackGenerator()
    }

    private func deliver(_ frames: [AssembledFrame], nowNs: UInt64) {
        guard !frames.isEmpty else { return }
        for f in frames {
            queue.push(f)
            keyframes.onFrame(isKeyframe: f.isKeyframe, nowNs: nowNs)
        }
        statsLock.withLock { $0.stats.framesAssembled += frames.count }
    }

    /// Timer work: late frames, NACK, PLI. Returns feedback to send.
    func poll(senderSsrc: UInt32, nowNs: UInt64) -> [RtcpPacket] {
        deliver(assembler.poll(nowNs: nowNs), nowNs: nowNs)
        if let s = assembler.firstWantedSequenceNumber { nack.forget(before: s) }
        guard let ssrc = mediaSsrc, let codec = media.codec else { return [] }
        var out: [RtcpPacket] = []
        if codec.supports(RtcpFeedback.nack), let n = nack.pollNack(senderSsrc: senderSsrc, mediaSsrc: ssrc, nowNs: nowNs) {
            out.append(.nack(n))
            statsLock.withLock { $0.stats.nackSent += 1 }
        }
        let needs = assembler.needsKeyframe || nack.takeKeyframeRequest() || decoderWantsKeyframe.load(ordering: .relaxed)
        if codec.supports(RtcpFeedback.pli),
           let pli = keyframes.pollPli(needsKeyframe: needs, senderSsrc: senderSsrc, mediaSsrc: ssrc, nowNs: nowNs) {
            out.append(.pli(pli))
            statsLock.withLock { $0.stats.pliSent += 1 }
        }
        return out
    }

    func onSenderReport(_ sr: SenderReport, nowNs: UInt64) {
        guard sr.ssrc == mediaSsrc else { return }
        receiveStats?.onSenderReport(sr, arrivalNs: nowNs)
    }

    func makeReportBlock(nowNs: UInt64) -> ReportBlock? { receiveStats?.makeReportBlock(nowNs: nowNs) }

    func updateRtt(_ rttNs: UInt64) {
        assembler.updateRtt(rttNs)
        nack.rttNs = rttNs
    }

    /// Any thread.
    func stats(nowNs: UInt64) -> InboundStreamStats {
        statsLock.withLock { s in
            var out = s.stats
            out.framesPerSecond = s.fps.rate(nowNs: nowNs)
            out.bitrate = s.bits.rate(nowNs: nowNs)
            return out
        }
    }
}
