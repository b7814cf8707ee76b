import Media
import RTP
import SDP
import Synchronization
import WebRTCTransport

/// One outbound m-line, for any codec: capture → bounded queue → encode thread (the codec) → network thread
/// (RTP headers, protect, send) with its feedback features (NACK answers, keyframe requests, rate control).
/// `@unchecked Sendable`: `net` is loop-bound, `thread` and the statistics are behind Mutexes, the rest is
/// immutable; the codec lives on the encode thread only.
final class RtpSender<Codec: SenderCodec>: @unchecked Sendable {
    static var pollNs: UInt64 { 100_000_000 }

    let media: NegotiatedMedia
    let ssrc: UInt32
    let payloadType: UInt8
    private let source: CaptureInput<Codec.Frame>
    private let queue = BoundedQueue<Codec.Frame>(capacity: Codec.queueCapacity)
    private let codec: HandOver<Codec>
    private let controls: (any EncoderControls)?
    private let output: PacketOutput
    private let loop: NetworkLoop
    private let thread = Mutex<MediaThread?>(nil)
    private let muted = Atomic<Bool>(false)
    private let statistics: Mutex<(stats: OutboundStreamStats, fps: RateWindow, bits: RateWindow)>

    private struct NetworkState {
        var sequenceNumber = UInt16.random(in: 0...0x7FFF)
        var first = true
        var sendStats: SendStatistics
        var stream: StreamContext
        var features: FeatureChain
        /// Video: packets wait here for their turn on the wire; audio goes straight out.
        var pacer: Pacer<RtpPacket>?
    }
    private let net: LoopBound<NetworkState>

    /// `startBitrate` also turns on pacing at that rate (the rate controller moves it); nil sends unpaced.
    init(media: NegotiatedMedia, ssrc: UInt32, payloadType: UInt8, codec: Codec, source: CaptureInput<Codec.Frame>,
         features: [any StreamFeature & Sendable], startBitrate: Int?, output: PacketOutput, loop: NetworkLoop) {
        self.media = media
        self.ssrc = ssrc
        self.payloadType = payloadType
        self.source = source
        self.codec = HandOver(codec)
        controls = codec.controls
        self.output = output
        self.loop = loop
        net = LoopBound(NetworkState(sendStats: SendStatistics(ssrc: ssrc, clockRate: codec.clockRate),
                                     stream: StreamContext(feedbackSsrc: ssrc, mediaSsrc: ssrc),
                                     features: FeatureChain(features), pacer: startBitrate.map(Pacer.init)),
                           loop: loop)
        var initial = OutboundStreamStats(mid: media.mid, kind: Codec.kind, ssrc: ssrc)
        if let startBitrate { initial.targetBitrate = startBitrate }
        statistics = Mutex((initial, RateWindow(), RateWindow()))
    }

    /// Starts the encode thread, then capture.
    func start() throws {
        let queue = queue, codec = codec
        let started = MediaThread(name: "\(Codec.kind)-encode-\(media.mid)") { [self] t in
            var seenDrops = 0
            while !t.isStopping {
                guard let frame = queue.pop(timeoutNs: Self.pollNs) else { continue }
                let drops = queue.droppedCount
                let outcome = codec.value.encode(frame, muted: muted.load(ordering: .relaxed), skipped: drops - seenDrops)
                seenDrops = drops
                record(outcome)
                if let media = outcome.media { loop.invoke { [self] in send(media) } }
            }
        }
        thread.withLock { $0 = started }
        try source.start(queue)
    }

    /// Stops capture and joins the encode thread.
    func stop() {
        source.stop()
        queue.close()
        thread.withLock { $0 }?.stopAndJoin()
    }

    /// Muted audio sends silence, muted video nothing (unmuting starts again with a keyframe).
    func setMuted(_ value: Bool) {
        let was = muted.exchange(value, ordering: .relaxed)
        if was && !value { controls?.requestKeyframe() }
        statistics.withLock { $0.stats.muted = value }
    }

    /// Forces the next frame to be a keyframe (video).
    func requestKeyframe() { controls?.requestKeyframe() }

    private func record(_ o: EncodeOutcome) {
        let now = MonotonicClock.now()
        statistics.withLock { s in
            s.stats.framesCaptured += o.captured
            s.stats.framesDropped += o.dropped
            s.stats.framesEncoded += o.encoded
            if o.media?.isKeyframe == true { s.stats.keyframesEncoded += 1 }
            if let w = o.width, let h = o.height { (s.stats.width, s.stats.height) = (w, h) }
            if Codec.countsFrameRate && o.encoded > 0 { s.fps.add(o.encoded, nowNs: now) }
        }
    }

    // MARK: network thread

    /// The sender's statistics for SR (network thread).
    var sendStats: SendStatistics { net.value.sendStats }

    /// One loop-bound access for the whole frame: the thread is checked once, not per packet and field.
    private func send(_ frame: EncodedMedia) {
        let now = MonotonicClock.now()
        let sent = net.withValue { n -> (bytes: Int, packets: Int) in
            n.features.frame(isKeyframe: frame.isKeyframe, &n.stream, nowNs: now)
            var packets: [RtpPacket] = []
            for (i, payload) in frame.payloads.enumerated() {
                let marker = switch Codec.marker {
                case .lastPacketOfFrame: i == frame.payloads.count - 1
                case .firstPacketOfStream: n.first
                }
                n.first = false
                packets.append(RtpPacket(payloadType: payloadType, sequenceNumber: n.sequenceNumber,
                                         timestamp: frame.rtpTimestamp, ssrc: ssrc, marker: marker, payload: payload))
                n.sequenceNumber &+= 1
            }
            guard n.pacer != nil else { return transmit(packets, &n, nowNs: now) }
            for p in packets { n.pacer?.enqueue(p, bytes: p.payload.count + RtpPacket.fixedHeaderSize, nowNs: now) }
            return transmit(n.pacer?.dequeue(nowNs: now) ?? [], &n, nowNs: now)
        }
        count(sent, nowNs: now)
    }

    /// Pacer timer (network thread): sends the packets whose turn has come.
    func pace(nowNs: UInt64) {
        let sent = net.withValue { n -> (bytes: Int, packets: Int) in
            guard let due = n.pacer?.dequeue(nowNs: nowNs), !due.isEmpty else { return (0, 0) }
            return transmit(due, &n, nowNs: nowNs)
        }
        if sent.packets > 0 { count(sent, nowNs: nowNs) }
    }

    private func transmit(_ packets: [RtpPacket], _ n: inout NetworkState, nowNs: UInt64) -> (bytes: Int, packets: Int) {
        var bytes = 0, sent = 0
        for var p in packets {
            media.addSendExtensions(to: &p, nowNs: nowNs)
            guard let protected = output.send(p) else { continue }
            n.features.sent(p, protected: protected, &n.stream, nowNs: nowNs)
            n.sendStats.onSent(p, nowNs: nowNs)
            bytes += protected.count
            sent += 1
        }
        return (bytes, sent)
    }

    private func count(_ sent: (bytes: Int, packets: Int), nowNs: UInt64) {
        let pacerDropped = net.value.pacer?.dropped ?? 0
        statistics.withLock {
            $0.stats.pacerDropped = pacerDropped
            $0.stats.packetsSent += sent.packets
            $0.stats.bytesSent += sent.bytes
            $0.bits.add(sent.bytes * 8, nowNs: nowNs)
        }
    }

    /// The session measured the round-trip time from a report block about this stream.
    func updateRtt(_ rttNs: UInt64) { net.value.stream.rttNs = rttNs }

    /// One RTCP packet from the peer: statistics about our stream, then the features' answers.
    func rtcp(_ packet: RtcpPacket, nowNs: UInt64) {
        count(packet)
        perform(net.withValue { $0.features.rtcp(packet, &$0.stream, nowNs: nowNs) })
    }

    /// The transport's delay-based estimate gives this stream `bitsPerSecond` (network thread).
    func bandwidthEstimate(_ bitsPerSecond: Int, nowNs: UInt64) {
        perform(net.withValue { $0.features.bandwidthEstimate(bitsPerSecond, &$0.stream, nowNs: nowNs) })
    }

    private func perform(_ actions: [FeedbackAction]) {
        for action in actions {
            switch action {
            case .sendRtcp(let r): output.send(rtcp: [r])
            case .resendProtected(let b):
                output.sendProtected(b, plain: nil)
                statistics.withLock { $0.stats.retransmittedPackets += 1 }
            case .sendRtp(let p):
                output.send(p)
                statistics.withLock { $0.stats.retransmittedPackets += 1 }
            case .forceKeyframe: controls?.requestKeyframe()
            case .setTargetBitrate(let bps):
                controls?.setTargetBitrate(bps)
                net.value.pacer?.targetBitrate = bps
                statistics.withLock { $0.stats.targetBitrate = bps }
            case .setExpectedPacketLoss(let percent):
                controls?.setExpectedPacketLoss(percent: percent)
                statistics.withLock { $0.stats.expectedPacketLossPercent = percent }
            }
        }
    }

    private func count(_ packet: RtcpPacket) {
        let rtt = net.value.stream.rttNs
        statistics.withLock { s in
            switch packet {
            case .nack(let n) where n.mediaSsrc == ssrc: s.stats.nackReceived += 1
            case .pli(let p) where p.mediaSsrc == ssrc: s.stats.pliReceived += 1
            case .fir(let f) where f.entries.contains(where: { $0.ssrc == ssrc }): s.stats.firReceived += 1
            case .remb(let r) where r.ssrcs.isEmpty || r.ssrcs.contains(ssrc): s.stats.rembBitrate = Int(clamping: r.bitrate)
            default: Self.onBlocks(packet.reportBlocks, ssrc: ssrc, rtt: rtt, &s.stats)
            }
        }
    }

    private static func onBlocks(_ blocks: [ReportBlock], ssrc: UInt32, rtt: UInt64?, _ stats: inout OutboundStreamStats) {
        for block in blocks where block.ssrc == ssrc {
            stats.remoteFractionLost = block.fractionLostRatio
            if let rtt { stats.roundTripTimeMs = Double(rtt) / 1e6 }
        }
    }

    /// Any thread: what the stream sends now in bit/s (the transport's estimate less audio goes to video).
    func bitrate(nowNs: UInt64) -> Int { Int(statistics.withLock { $0.bits.rate(nowNs: nowNs) }) }

    /// Any thread.
    func stats() -> OutboundStreamStats {
        let now = MonotonicClock.now()
        return statistics.withLock { s in
            var out = s.stats
            out.framesPerSecond = Codec.countsFrameRate ? s.fps.rate(nowNs: now) : 0
            out.bitrate = s.bits.rate(nowNs: now)
            return out
        }
    }
}
