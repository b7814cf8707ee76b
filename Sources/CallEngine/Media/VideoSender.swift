import Codecs
import Media
import RTP
import SDP
import Synchronization
import WebRTCTransport

/// Outbound video of one m-line: capture → latest-frame mailbox → encode thread (VP8) → network thread
/// (packetize, RTP, protect, send, NACK cache) and the sender side of PLI/FIR/NACK/REMB/RR.
final class VideoSender: @unchecked Sendable {
    /// Encoder start bitrate, also the loss-based controller's start.
    static let defaultStartBitrate = 500_000
    /// How long the encode thread waits for a frame before checking for stop.
    static let pollNs: UInt64 = 100_000_000

    let media: NegotiatedMedia
    let ssrc: UInt32
    let payloadType: UInt8
    private let source: VideoSource
    private let mailbox = BoundedQueue<VideoFrame>(capacity: 1)
    private let encoder: VP8Encoder
    private let output: PacketOutput
    private let loop: NetworkLoop
    private var worker: MediaThread?
    private let muted = Atomic<Bool>(false)
    private let statsLock: Mutex<(stats: OutboundStreamStats, fps: RateWindow, bits: RateWindow)>

    // Network thread only.
    private var packetizer = VP8Packetizer()
    private var sequenceNumber = UInt16.random(in: 0...0x7FFF)
    private let timestampBase = UInt32.random(in: 0...UInt32.max)
    private(set) var sendStats: SendStatistics
    private var responder: NackResponder
    private var keyframes = KeyframeRequestHandler()
    private var rate: LossBasedRateController
    private var appliedBitrate = 0

    init(media: NegotiatedMedia, ssrc: UInt32, codec: NegotiatedCodec, source: VideoSource, output: PacketOutput,
         loop: NetworkLoop, settings: VP8EncoderSettings) {
        self.media = media
        self.ssrc = ssrc
        self.payloadType = codec.payloadType
        self.source = source
        self.output = output
        self.loop = loop
        var s = settings
        s.bitrate = Self.defaultStartBitrate
        encoder = VP8Encoder(settings: s)
        sendStats = SendStatistics(ssrc: ssrc, clockRate: Int(codec.clockRate))
        let rtx = codec.rtxPayloadType.flatMap { pt in
            media.localRtxSsrc.map { NackResponder.RtxParameters(payloadType: pt, ssrc: $0) }
        }
        responder = NackResponder(rtx: rtx)
        rate = LossBasedRateController(startBitrate: Self.defaultStartBitrate)
        appliedBitrate = Self.defaultStartBitrate
        var initial = OutboundStreamStats(mid: media.mid, kind: "video", ssrc: ssrc)
        initial.targetBitrate = Self.defaultStartBitrate
        statsLock = Mutex((initial, RateWindow(), RateWindow()))
    }

    /// Starts capture and the encode thread.
    func start() throws {
        let mailbox = mailbox
        worker = MediaThread(name: "video-encode-\(media.mid)") { [self] w in
            var lastOverwrites = 0
            while !w.isStopping {
                guard let frame = mailbox.pop(timeoutNs: Self.pollNs) else { continue }
                let overwritten = mailbox.droppedCount
                let muted = self.muted.load(ordering: .relaxed)
                statsLock.withLock {
                    $0.stats.framesCaptured += 1 + overwritten - lastOverwrites
                    $0.stats.framesDropped += overwritten - lastOverwrites + (muted ? 1 : 0)
                }
                lastOverwrites = overwritten
                if muted { continue }
                encode(frame)
            }
        }
        try source.start(into: mailbox)
    }

    /// Stops capture and joins the encode thread.
    func stop() {
        source.stop()
        mailbox.close()
        worker?.stopAndJoin()
        worker = nil
    }

    /// Muted video sends nothing; unmuting starts again with a keyframe.
    func setMuted(_ value: Bool) {
        let was = muted.exchange(value, ordering: .relaxed)
        if was && !value { encoder.requests.requestKeyframe() }
        statsLock.withLock { $0.stats.muted = value }
    }

    /// Forces the next frame to be a keyframe.
    func requestKeyframe() { encoder.requests.requestKeyframe() }

    /// Encode thread.
    private func encode(_ frame: VideoFrame) {
        let encoded: VP8EncodedFrame?
        do { encoded = try encoder.encode(frame) } catch { encoded = nil }
        let now = MonotonicClock.now()
        guard let encoded else {
            statsLock.withLock { $0.stats.framesDropped += 1 }
            return
        }
        statsLock.withLock {
            $0.stats.framesEncoded += 1
            if encoded.isKeyframe { $0.stats.keyframesEncoded += 1 }
            $0.stats.width = encoded.width
            $0.stats.height = encoded.height
            $0.fps.add(1, nowNs: now)
        }
        loop.invoke { [self] in send(encoded) }
    }

    /// Network thread: one encoded frame to RTP packets.
    private func send(_ frame: VP8EncodedFrame) {
        let now = MonotonicClock.now()
        if frame.isKeyframe { keyframes.onKeyframeSent(nowNs: now) }
        let timestamp = timestampBase &+ UInt32(truncatingIfNeeded: frame.timestampNs / 100_000 * 9)
        let payloads = packetizer.packetize(frame: frame.data, isKeyframe: frame.isKeyframe)
        var bytes = 0, sent = 0
        for (i, payload) in payloads.enumerated() {
            var p = RtpPacket(payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp,
                              ssrc: ssrc, marker: i == payloads.count - 1, payload: payload)
            sequenceNumber &+= 1
            media.addSendExtensions(to: &p, nowNs: now)
            guard let protected = output.send(p) else { continue }
            responder.onSent(p, protectedBytes: protected, nowNs: now)
            sendStats.onSent(p, nowNs: now)
            bytes += protected.count
            sent += 1
        }
        statsLock.withLock {
            $0.stats.packetsSent += sent
            $0.stats.bytesSent += bytes
            $0.bits.add(bytes * 8, nowNs: now)
        }
    }

    // MARK: RTCP about our stream (network thread)

    func onNack(_ nack: GenericNack, nowNs: UInt64) {
        let answers = responder.respond(to: nack, nowNs: nowNs)
        for answer in answers {
            switch answer {
            case .protectedBytes(let b): output.sendProtected(b, plain: nil)
            case .rtx(let p): output.send(p)
            }
        }
        statsLock.withLock { $0.stats.nackReceived += 1; $0.stats.retransmittedPackets += answers.count }
    }

    func onPli(nowNs: UInt64) {
        if keyframes.onPli(nowNs: nowNs) { encoder.requests.requestKeyframe() }
        statsLock.withLock { $0.stats.pliReceived += 1 }
    }

    func onFir(_ fir: FullIntraRequest, nowNs: UInt64) {
        if keyframes.onFir(fir, mediaSsrc: ssrc, nowNs: nowNs) { encoder.requests.requestKeyframe() }
        statsLock.withLock { $0.stats.firReceived += 1 }
    }

    func onRemb(_ remb: Remb) {
        applyBitrate(rate.onRemb(bitrate: remb.bitrate))
        statsLock.withLock { $0.stats.rembBitrate = Int(clamping: remb.bitrate) }
    }

    func onReportBlock(_ block: ReportBlock, rttNs: UInt64?, nowNs: UInt64) {
        if let rttNs { responder.rttNs = rttNs; rate.rttNs = rttNs }
        applyBitrate(rate.onLossReport(fractionLost: block.fractionLostRatio, nowNs: nowNs))
        statsLock.withLock {
            $0.stats.remoteFractionLost = block.fractionLostRatio
            if let rttNs { $0.stats.roundTripTimeMs = Double(rttNs) / 1e6 }
        }
    }

    private func applyBitrate(_ target: Int) {
        guard target != appliedBitrate else { return }
        appliedBitrate = target
        encoder.requests.setTargetBitrate(target)
        statsLock.withLock { $0.stats.targetBitrate = target }
    }

    /// Any thread.
    func stats() -> OutboundStreamStats {
        let now = MonotonicClock.now()
        return statsLock.withLock { s in
            var out = s.stats
            out.framesPerSecond = s.fps.rate(nowNs: now)
            out.bitrate = s.bits.rate(nowNs: now)
            return out
        }
    }
}
