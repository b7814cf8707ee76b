import Codecs
import Foundation
import Media
import RTP
import SDP
import Synchronization
import WebRTCTransport

/// Settings of a call's media.
public struct MediaSessionOptions: Sendable {
    /// RTCP CNAME (use the PeerConnectionConfiguration's, so SDES matches the SDP).
    public var cname: String
    /// VP8 settings (the bitrate is driven by the session: start, REMB and loss).
    public var videoEncoder: VP8EncoderSettings
    /// Test hook: outgoing RTP packets for which it returns true are discarded (simulated loss).
    public var dropOutgoingRtp: RtpDropHook?
    /// How often the network thread polls assemblers, NACK/PLI/REMB and the report schedule.
    public var feedbackIntervalMs: UInt32

    /// Default poll interval: NACKs are due ~15 ms after a gap.
    public static let defaultFeedbackIntervalMs: UInt32 = 10

    public init(cname: String = UUID().uuidString, videoEncoder: VP8EncoderSettings = VP8EncoderSettings(),
                dropOutgoingRtp: RtpDropHook? = nil, feedbackIntervalMs: UInt32 = defaultFeedbackIntervalMs) {
        self.cname = cname
        self.videoEncoder = videoEncoder
        self.dropOutgoingRtp = dropOutgoingRtp
        self.feedbackIntervalMs = feedbackIntervalMs
    }
}

/// Why media could not start.
package enum MediaSessionError: Error, Equatable, CustomStringConvertible {
    case notNegotiated
    case alreadyStarted
    case codec(String)

    package var description: String {
        switch self {
        case .notNegotiated: "media cannot start before offer/answer completes (no negotiated session)"
        case .alreadyStarted: "media session already started"
        case .codec(let s): "codec setup failed: \(s)"
        }
    }
}

/// The media of one PeerConnection: senders for our tracks, receivers for the peer's, RTCP on the network thread.
///
/// Create after offer/answer, add sinks, then `start`; `stats()` any time; `stop` before closing the connection.
package final class MediaSession: @unchecked Sendable {
    package let peerConnection: PeerConnection
    package let options: MediaSessionOptions
    private let output: PacketOutput
    private var loop: NetworkLoop { peerConnection.transport.loop }
    private let videoSinks = SinkSet<any VideoSink>()
    private let audioSinks = SinkSet<any AudioSink>()
    private let lock = Mutex(())
    private var started = false
    private var timer: LoopTimer?

    // Set in start, then read on the network thread only.
    private var videoSenders: [VideoSender] = []
    private var audioSenders: [AudioSender] = []
    private var videoReceivers: [VideoReceiver] = []
    private var audioReceivers: [AudioReceiver] = []
    private var midExtensionIds: [UInt8] = []
    private var byMid: [String: Receiver] = [:]
    private var byPayloadType: [UInt8: Receiver] = [:]
    private var bySsrc: [UInt32: Receiver] = [:]
    /// SSRC of our RTCP when we send no media.
    private let receiverSsrc = UInt32.random(in: 1...UInt32.max)
    private var scheduler = ReportScheduler()
    private var rtt = RttEstimator()
    private var remb = RembEstimator()
    private var sendsRemb = false
    private var absSendTimeId: UInt8?
    private var unroutedPackets = 0
    /// Copy of `rtt` for `stats()` from other threads.
    private let smoothedRttMs = Mutex<Double?>(nil)

    private enum Receiver {
        case video(VideoReceiver)
        case audio(AudioReceiver)
    }

    package init(peerConnection: PeerConnection, options: MediaSessionOptions = MediaSessionOptions()) {
        self.peerConnection = peerConnection
        self.options = options
        output = PacketOutput(transport: peerConnection.transport, drop: options.dropOutgoingRtp)
    }

    /// Decoded video of every received video m-line goes to `sink` (on the decode thread; `accept` must not block).
    package func addVideoSink(_ sink: any VideoSink) { videoSinks.add(sink) }
    /// Played-out audio (20 ms frames, decoded or concealed) goes to `sink` on the playout thread.
    package func addAudioSink(_ sink: any AudioSink) { audioSinks.add(sink) }

    /// Starts sending `video`/`audio` on our negotiated sending m-lines and receiving on the peer's.
    package func start(video: VideoSource?, audio: AudioSource?) throws {
        guard let session = peerConnection.negotiated else { throw MediaSessionError.notNegotiated }
        try lock.withLock { _ in
            guard !started else { throw MediaSessionError.alreadyStarted }
            started = true
            try build(session, video: video, audio: audio)
        }
        let box = WeakMediaSession(self)
        peerConnection.setMediaHandlers(TransportHandlers(onRtp: { box.value?.onRtp($0) },
                                                          onRtcp: { box.value?.onRtcp($0) }))
        for r in videoReceivers { try r.start() }
        for r in audioReceivers { try r.start() }
        for s in videoSenders { try s.start() }
        for s in audioSenders { try s.start() }
        timer = loop.every(ms: options.feedbackIntervalMs) { box.value?.poll() ?? false }
    }

    private func build(_ session: NegotiatedSession, video: VideoSource?, audio: AudioSource?) throws {
        if let video, let m = session.sendingMedia(kind: .video), let codec = m.codec, let ssrc = m.localSsrc {
            videoSenders.append(VideoSender(media: m, ssrc: ssrc, codec: codec, source: video, output: output,
                                            loop: loop, settings: options.videoEncoder))
        }
        if let audio, let m = session.sendingMedia(kind: .audio), let codec = m.codec, let ssrc = m.localSsrc {
            do {
                audioSenders.append(try AudioSender(media: m, ssrc: ssrc, codec: codec, source: audio, output: output, loop: loop))
            } catch { throw MediaSessionError.codec("\(error)") }
        }
        for m in session.receivingMedia(kind: .video) {
            guard let codec = m.codec else { continue }
            let r = VideoReceiver(media: m, codec: codec, sinks: videoSinks)
            videoReceivers.append(r)
            route(.video(r), media: m, payloadTypes: [codec.payloadType] + (codec.rtxPayloadType.map { [$0] } ?? []))
            if codec.supports(RtcpFeedback.remb) { sendsRemb = true }
        }
        for m in session.receivingMedia(kind: .audio) {
            guard let codec = m.codec else { continue }
            let r = AudioReceiver(media: m, codec: codec, sinks: audioSinks)
            audioReceivers.append(r)
            route(.audio(r), media: m, payloadTypes: [codec.payloadType])
        }
        for m in session.activeMedia {
            if let id = m.midExtensionId, !midExtensionIds.contains(id) { midExtensionIds.append(id) }
            if m.kind == .video, m.receives, absSendTimeId == nil { absSendTimeId = m.absSendTimeExtensionId }
        }
    }

    private func route(_ receiver: Receiver, media: NegotiatedMedia, payloadTypes: [UInt8]) {
        byMid[media.mid] = receiver
        for ssrc in [media.remoteSsrc, media.remoteRtxSsrc].compactMap({ $0 }) { bySsrc[ssrc] = receiver }
        for pt in payloadTypes {
            // A payload type shared by two m-lines cannot route on its own (mid or SSRC must).
            if byPayloadType[pt] == nil { byPayloadType[pt] = receiver } else { byPayloadType[pt] = nil }
        }
    }

    /// Stops capture, the codec threads and RTCP (sends BYE); sinks are not closed (the caller owns them).
    package func stop() {
        let wasStarted = lock.withLock { _ -> Bool in defer { started = false }; return started }
        guard wasStarted else { return }
        for s in videoSenders { s.stop() }
        for s in audioSenders { s.stop() }
        let ssrcs = videoSenders.map(\.ssrc) + audioSenders.map(\.ssrc)
        timer?.cancel()
        timer = nil
        // Posted, never waited for: the connection may already be closed (its loop stopped).
        if !ssrcs.isEmpty { loop.invoke { [output] in output.send(rtcp: [.goodbye(Goodbye(ssrcs: ssrcs))]) } }
        peerConnection.setMediaHandlers(TransportHandlers())
        for r in videoReceivers { r.stop() }
        for r in audioReceivers { r.stop() }
    }

    /// Mutes our audio (silence is sent) or video (nothing is sent; unmute resumes with a keyframe).
    package func setMuted(audio: Bool? = nil, video: Bool? = nil) {
        if let audio { for s in audioSenders { s.setMuted(audio) } }
        if let video { for s in videoSenders { s.setMuted(video) } }
    }

    /// Makes our next video frame a keyframe.
    package func requestKeyframe() { for s in videoSenders { s.requestKeyframe() } }

    /// Asks the peer for a keyframe now (as if our decoder had lost its reference), bypassing the rate limit.
    package func sendPictureLossIndication() {
        loop.invoke { [self] in
            let packets = videoReceivers.compactMap { r in
                r.mediaSsrc.map { RtcpPacket.pli(PictureLossIndication(senderSsrc: feedbackSsrc, mediaSsrc: $0)) }
            }
            output.send(rtcp: packets)
        }
    }

    /// A getStats-like snapshot; any thread, never waits for the network thread (also after stop).
    package func stats() -> MediaSessionStats {
        let (vs, aus, vr, ar) = lock.withLock { _ in (videoSenders, audioSenders, videoReceivers, audioReceivers) }
        let now = MonotonicClock.now()
        var s = MediaSessionStats()
        s.outbound = vs.map { $0.stats() } + aus.map { $0.stats() }
        s.inbound = vr.map { $0.stats(nowNs: now) } + ar.map { $0.stats(nowNs: now) }
        s.roundTripTimeMs = smoothedRttMs.withLock { $0 }
        s.packetsDroppedByHook = output.dropped
        return s
    }

    // MARK: network thread

    private var feedbackSsrc: UInt32 { videoSenders.first?.ssrc ?? audioSenders.first?.ssrc ?? receiverSsrc }

    private func onRtp(_ bytes: [UInt8]) {
        guard let packet = try? RtpPacket(parsing: bytes) else { return }
        let now = MonotonicClock.now()
        var receiver: Receiver?
        for id in midExtensionIds {
            if let data = packet.extensionData(id: id), let mid = HeaderExtensions.decodeMid(data), let r = byMid[mid] {
                receiver = r
                bySsrc[packet.ssrc] = r  // Chromium stops sending the mid once we have sent RTCP
                break
            }
        }
        if receiver == nil { receiver = bySsrc[packet.ssrc] }
        if receiver == nil, let r = byPayloadType[packet.payloadType] {
            receiver = r
            bySsrc[packet.ssrc] = r
        }
        switch receiver {
        case .video(let r)?:
            let abs = absSendTimeId.flatMap { packet.extensionData(id: $0) }.flatMap(HeaderExtensions.decodeAbsSendTime)
            remb.onPacket(size: bytes.count, absSendTime: abs, arrivalNs: now)
            r.receive(packet, size: bytes.count, nowNs: now)
        case .audio(let r)?:
            r.receive(packet, size: bytes.count, nowNs: now)
        case nil:
            unroutedPackets += 1
        }
    }

    private func onRtcp(_ bytes: [UInt8]) {
        guard let packets = try? RtcpPacket.parseCompound(bytes) else { return }
        let now = MonotonicClock.now()
        for packet in packets {
            switch packet {
            case .senderReport(let sr):
                for r in videoReceivers { r.onSenderReport(sr, nowNs: now) }
                for r in audioReceivers { r.onSenderReport(sr, nowNs: now) }
                onReportBlocks(sr.reports, nowNs: now)
            case .receiverReport(let rr):
                onReportBlocks(rr.reports, nowNs: now)
            case .nack(let n):
                videoSenders.first { $0.ssrc == n.mediaSsrc }?.onNack(n, nowNs: now)
            case .pli(let p):
                videoSenders.first { $0.ssrc == p.mediaSsrc }?.onPli(nowNs: now)
            case .fir(let f):
                for s in videoSenders where f.entries.contains(where: { $0.ssrc == s.ssrc }) { s.onFir(f, nowNs: now) }
            case .remb(let r):
                for s in videoSenders where r.ssrcs.isEmpty || r.ssrcs.contains(s.ssrc) { s.onRemb(r) }
            case .sourceDescription, .goodbye, .unknown:
                break
            }
        }
    }

    private func onReportBlocks(_ blocks: [ReportBlock], nowNs: UInt64) {
        for block in blocks {
            let measured = rtt.onReportBlock(block, nowNs: nowNs)
            let smoothed = measured == nil ? nil : rtt.smoothedRttNs
            if let smoothed { smoothedRttMs.withLock { $0 = Double(smoothed) / 1e6 } }
            if let smoothed { for r in videoReceivers { r.updateRtt(smoothed) } }
            if let s = videoSenders.first(where: { $0.ssrc == block.ssrc }) {
                s.onReportBlock(block, rttNs: smoothed, nowNs: nowNs)
            }
            if let s = audioSenders.first(where: { $0.ssrc == block.ssrc }) { s.onReportBlock(block, rttNs: smoothed) }
        }
    }

    /// Timer: returns false once stopped.
    private func poll() -> Bool {
        let now = MonotonicClock.now()
        let sender = feedbackSsrc
        var feedback: [RtcpPacket] = []
        for r in videoReceivers { feedback += r.poll(senderSsrc: sender, nowNs: now) }
        if sendsRemb {
            let ssrcs = videoReceivers.compactMap(\.mediaSsrc)
            if !ssrcs.isEmpty, let r = remb.pollRemb(senderSsrc: sender, mediaSsrcs: ssrcs, nowNs: now) {
                feedback.append(.remb(r))
            }
        }
        if scheduler.shouldSend(nowNs: now) {
            output.send(rtcp: report(nowNs: now) + feedback)
        } else if !feedback.isEmpty {
            output.send(rtcp: feedback)  // reduced-size RTCP (rtcp-rsize)
        }
        return true
    }

    /// SR per sending stream (RR when we send nothing) with report blocks and SDES CNAME.
    private func report(nowNs: UInt64) -> [RtcpPacket] {
        var blocks = videoReceivers.compactMap { $0.makeReportBlock(nowNs: nowNs) }
            + audioReceivers.compactMap { $0.makeReportBlock(nowNs: nowNs) }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let ntp = NtpTimestamp(unixNs: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
        var out: [RtcpPacket] = []
        let stats = videoSenders.map(\.sendStats) + audioSenders.map(\.sendStats)
        for s in stats where s.hasSent {
            out.append(.senderReport(s.makeSenderReport(ntpTime: ntp, nowNs: nowNs, reports: Array(blocks.prefix(31)))))
            blocks = []
        }
        if out.isEmpty {
            out.append(.receiverReport(ReceiverReport(ssrc: feedbackSsrc, reports: Array(blocks.prefix(31)))))
        } else {
            rtt.onSenderReportSent(ntpTime: ntp, nowNs: nowNs)
        }
        let ssrcs = stats.isEmpty ? [feedbackSsrc] : stats.map(\.ssrc)
        out.append(.sourceDescription(SourceDescription(chunks: ssrcs.map { .init(ssrc: $0, cname: options.cname) })))
        return out
    }
}

/// Lets transport callbacks reach the session without keeping it alive.
private final class WeakMediaSession: @unchecked Sendable {
    weak var value: MediaSession?
    init(_ value: MediaSession) { self.value = value }
}
