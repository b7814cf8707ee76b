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

/// The media of one PeerConnection: a sender per sending m-line, a receiver per receiving one, their
/// feedback features, and the session-wide SR/RR reports on the network thread.
///
/// Create after offer/answer, add sinks, then `start`; `stats()` any time; `stop` before closing the connection.
/// `@unchecked Sendable`: the streams are set once in `start` (under `lock`) and only read afterwards (also
/// after `stop`, for `stats()`); the network-thread state is loop-bound.
package final class MediaSession: @unchecked Sendable {
    /// Encoder start bitrate, also the loss-based controller's and the delay-based estimator's start.
    package static let defaultStartBitrate = 500_000
    /// How often the video pacers send what is due (libwebrtc's 5 ms).
    package static let pacerIntervalMs: UInt32 = 5

    package let peerConnection: PeerConnection
    package let options: MediaSessionOptions
    private let output: PacketOutput
    private var loop: NetworkLoop { peerConnection.transport.loop }
    private let videoSinks = SinkSet<any VideoSink>()
    private let audioSinks = SinkSet<any AudioSink>()
    private let lock = Mutex<Streams?>(nil)
    private let timers = Mutex<[LoopTimer]>([])
    private let stopped = Mutex(false)
    /// SSRC of our RTCP when we send no media.
    private let receiverSsrc = UInt32.random(in: 1...UInt32.max)
    /// Copy of the smoothed RTT for `stats()` from other threads.
    private let smoothedRttMs = Mutex<Double?>(nil)
    /// transport-cc feedback packets sent, for `stats()`.
    private let transportFeedbackSent = Atomic<Int>(0)

    private typealias VideoSender = RtpSender<VP8SenderCodec>
    private typealias AudioSender = RtpSender<OpusSenderCodec>
    private typealias VideoReceiver = RtpReceiver<VideoReceivePipeline>
    private typealias AudioReceiver = RtpReceiver<AudioReceivePipeline>

    /// The streams, fixed by `start`.
    private struct Streams: Sendable {
        var videoSenders: [VideoSender] = []
        var audioSenders: [AudioSender] = []
        var videoReceivers: [VideoReceiver] = []
        var audioReceivers: [AudioReceiver] = []
        var feedbackSsrc: UInt32
        var midExtensionIds: [UInt8] = []
        /// The transport-wide sequence number's id when the peer's streams want transport-cc feedback.
        var transportCcExtensionId: UInt8?
    }

    /// Routing and reports: network thread only.
    private struct NetworkState {
        var streams: Streams?
        var byMid: [String: Receiver] = [:]
        var byPayloadType: [UInt8: Receiver] = [:]
        var bySsrc: [UInt32: Receiver] = [:]
        var reports: ReportFeature
        var transportFeedback = TransportFeedbackGenerator()
        var unroutedPackets = 0
        /// Smoothed RTT from the reports, for the delay-based estimator.
        var rttNs: UInt64?
    }
    private let net: LoopBound<NetworkState>

    private enum Receiver {
        case video(VideoReceiver)
        case audio(AudioReceiver)
    }

    package init(peerConnection: PeerConnection, options: MediaSessionOptions = MediaSessionOptions()) {
        self.peerConnection = peerConnection
        self.options = options
        output = PacketOutput(transport: peerConnection.transport, drop: options.dropOutgoingRtp)
        net = LoopBound(NetworkState(reports: ReportFeature(cname: options.cname)), loop: peerConnection.transport.loop)
    }

    /// Decoded video of every received video m-line goes to `sink` (on the decode thread; `accept` must not block).
    package func addVideoSink(_ sink: any VideoSink) { videoSinks.add(sink) }
    /// Played-out audio (20 ms frames, decoded or concealed) goes to `sink` on the playout thread.
    package func addAudioSink(_ sink: any AudioSink) { audioSinks.add(sink) }

    /// Starts sending `video`/`audio` on our negotiated sending m-lines and receiving on the peer's.
    package func start(video: VideoSource?, audio: AudioSource?) throws {
        guard let session = peerConnection.negotiated else { throw MediaSessionError.notNegotiated }
        let streams = try lock.withLock { current -> Streams in
            guard current == nil else { throw MediaSessionError.alreadyStarted }
            let built = try build(session, video: video, audio: audio)
            current = built
            return built
        }
        let routes = routing(streams)
        // We number our packets transport-wide when the peer will send transport-cc feedback about them.
        let sendingCc = session.activeMedia.first { $0.sends && $0.codec?.supports(RtcpFeedback.transportCC) == true }?
            .transportCcExtensionId
        loop.sync { [self] in
            net.value.streams = streams
            (net.value.byMid, net.value.byPayloadType, net.value.bySsrc) = routes
            if let sendingCc, !streams.videoSenders.isEmpty {
                output.enableTransportWideCongestionControl(extensionId: sendingCc, startBitrate: Self.defaultStartBitrate)
            }
        }
        let box = WeakBox<MediaSession>()
        box.value = self
        peerConnection.setMediaHandlers(TransportHandlers(onRtp: { box.value?.onRtp($0) },
                                                          onRtcp: { box.value?.onRtcp($0) }))
        for r in streams.videoReceivers { try r.start() }
        for r in streams.audioReceivers { try r.start() }
        for s in streams.videoSenders { try s.start() }
        for s in streams.audioSenders { try s.start() }
        let feedback = loop.every(ms: options.feedbackIntervalMs) { box.value?.poll() ?? false }
        // Only video is paced: without a video sender no pacer timer runs.
        let pacing = streams.videoSenders.isEmpty ? nil : loop.every(ms: Self.pacerIntervalMs) { box.value?.pace() ?? false }
        timers.withLock { $0 = [feedback] + (pacing.map { [$0] } ?? []) }
    }

    private func build(_ session: NegotiatedSession, video: VideoSource?, audio: AudioSource?) throws -> Streams {
        var videoSenders: [VideoSender] = [], audioSenders: [AudioSender] = []
        if let video, let m = session.sendingMedia(kind: .video), let codec = m.codec, let ssrc = m.localSsrc {
            let rtx = codec.rtxPayloadType.flatMap { pt in
                m.localRtxSsrc.map { NackResponder.RtxParameters(payloadType: pt, ssrc: $0) }
            }
            let features: [any StreamFeature & Sendable] = [
                NackResponseFeature(rtx: rtx), KeyframeRequestFeature(),
                RateControlFeature(startBitrate: Self.defaultStartBitrate),
            ]
            videoSenders.append(VideoSender(
                media: m, ssrc: ssrc, payloadType: codec.payloadType,
                codec: VP8SenderCodec(settings: options.videoEncoder, startBitrate: Self.defaultStartBitrate),
                source: .video(video), features: features, startBitrate: Self.defaultStartBitrate, output: output,
                loop: loop))
        }
        if let audio, let m = session.sendingMedia(kind: .audio), let codec = m.codec, let ssrc = m.localSsrc {
            let opus: OpusSenderCodec
            do { opus = try OpusSenderCodec(channels: audio.channels) } catch { throw MediaSessionError.codec("\(error)") }
            audioSenders.append(AudioSender(media: m, ssrc: ssrc, payloadType: codec.payloadType, codec: opus,
                                            source: .audio(audio), features: [ExpectedLossFeature()], startBitrate: nil,
                                            output: output,
                                            loop: loop))
        }
        let feedbackSsrc = videoSenders.first?.ssrc ?? audioSenders.first?.ssrc ?? receiverSsrc
        var streams = Streams(videoSenders: videoSenders, audioSenders: audioSenders, feedbackSsrc: feedbackSsrc)
        let absSendTimeId = session.activeMedia.first { $0.kind == .video && $0.receives }?.absSendTimeExtensionId
        // transport-cc where agreed (browsers then estimate our link themselves); REMB for peers without it.
        streams.transportCcExtensionId = session.activeMedia.first {
            $0.receives && $0.codec?.supports(RtcpFeedback.transportCC) == true
        }?.transportCcExtensionId
        for m in session.receivingMedia(kind: .video) {
            guard let codec = m.codec else { continue }
            var features: [any StreamFeature & Sendable] = []
            if codec.supports(RtcpFeedback.remb) && streams.transportCcExtensionId == nil {
                features.append(RembFeature(absSendTimeId: absSendTimeId))
            }
            if let rtx = codec.rtxPayloadType {
                features.append(RtxReceiveFeature(rtxPayloadType: rtx, mediaPayloadType: codec.payloadType))
            }
            if codec.supports(RtcpFeedback.nack) { features.append(NackFeature()) }
            if codec.supports(RtcpFeedback.pli) { features.append(PliFeature()) }
            streams.videoReceivers.append(VideoReceiver(
                media: m, payloadType: codec.payloadType,
                pipeline: VideoReceivePipeline(mid: m.mid, sinks: videoSinks, loop: loop),
                features: features, feedbackSsrc: feedbackSsrc, loop: loop))
        }
        for m in session.receivingMedia(kind: .audio) {
            guard let codec = m.codec else { continue }
            streams.audioReceivers.append(AudioReceiver(
                media: m, payloadType: codec.payloadType, pipeline: AudioReceivePipeline(mid: m.mid, sinks: audioSinks),
                features: [], feedbackSsrc: feedbackSsrc, loop: loop))
        }
        for m in session.activeMedia {
            if let id = m.midExtensionId, !streams.midExtensionIds.contains(id) { streams.midExtensionIds.append(id) }
        }
        return streams
    }

    /// Where an inbound packet goes: by mid (BUNDLE), by SSRC, or by a payload type unique to one m-line.
    private func routing(_ streams: Streams)
        -> ([String: Receiver], [UInt8: Receiver], [UInt32: Receiver]) {
        var byMid: [String: Receiver] = [:], byPayloadType: [UInt8: Receiver] = [:], bySsrc: [UInt32: Receiver] = [:]
        func route(_ receiver: Receiver, media: NegotiatedMedia, payloadTypes: [UInt8]) {
            byMid[media.mid] = receiver
            for ssrc in [media.remoteSsrc, media.remoteRtxSsrc].compactMap({ $0 }) { bySsrc[ssrc] = receiver }
            for pt in payloadTypes {
                // A payload type shared by two m-lines cannot route on its own (mid or SSRC must).
                if byPayloadType[pt] == nil { byPayloadType[pt] = receiver } else { byPayloadType[pt] = nil }
            }
        }
        for r in streams.videoReceivers {
            let rtx = r.media.codec?.rtxPayloadType.map { [$0] } ?? []
            route(.video(r), media: r.media, payloadTypes: [r.payloadType] + rtx)
        }
        for r in streams.audioReceivers { route(.audio(r), media: r.media, payloadTypes: [r.payloadType]) }
        return (byMid, byPayloadType, bySsrc)
    }

    /// Stops capture, the codec threads and RTCP (sends BYE); sinks are not closed (the caller owns them).
    package func stop() {
        guard let streams = current, !stopped.withLock({ s in defer { s = true }; return s }) else { return }
        for s in streams.videoSenders { s.stop() }
        for s in streams.audioSenders { s.stop() }
        let ssrcs = streams.videoSenders.map(\.ssrc) + streams.audioSenders.map(\.ssrc)
        timers.withLock { t in for timer in t { timer.cancel() }; t = [] }
        // Posted, never waited for: the connection may already be closed (its loop stopped).
        if !ssrcs.isEmpty { loop.invoke { [output] in output.send(rtcp: [.goodbye(Goodbye(ssrcs: ssrcs))]) } }
        peerConnection.setMediaHandlers(TransportHandlers())
        for r in streams.videoReceivers { r.stop() }
        for r in streams.audioReceivers { r.stop() }
    }

    private var current: Streams? { lock.withLock { $0 } }

    /// Mutes our audio (silence is sent) or video (nothing is sent; unmute resumes with a keyframe).
    package func setMuted(audio: Bool? = nil, video: Bool? = nil) {
        guard let streams = current else { return }
        if let audio { for s in streams.audioSenders { s.setMuted(audio) } }
        if let video { for s in streams.videoSenders { s.setMuted(video) } }
    }

    /// Makes our next video frame a keyframe.
    package func requestKeyframe() { for s in current?.videoSenders ?? [] { s.requestKeyframe() } }

    /// Asks the peer for a keyframe now (as if our decoder had lost its reference), bypassing the rate limit.
    package func sendPictureLossIndication() {
        guard let streams = current else { return }
        loop.invoke { [output] in
            let packets = streams.videoReceivers.compactMap { r in
                r.mediaSsrc.map { RtcpPacket.pli(PictureLossIndication(senderSsrc: streams.feedbackSsrc, mediaSsrc: $0)) }
            }
            output.send(rtcp: packets)
        }
    }

    /// A getStats-like snapshot; any thread, never waits for the network thread (also after stop).
    package func stats() -> MediaSessionStats {
        var s = MediaSessionStats()
        guard let streams = current else { return s }
        let now = MonotonicClock.now()
        s.outbound = streams.videoSenders.map { $0.stats() } + streams.audioSenders.map { $0.stats() }
        s.inbound = streams.videoReceivers.map { $0.stats(nowNs: now) } + streams.audioReceivers.map { $0.stats(nowNs: now) }
        s.roundTripTimeMs = smoothedRttMs.withLock { $0 }
        s.packetsDroppedByHook = output.dropped
        s.transportFeedbackSent = transportFeedbackSent.load(ordering: .relaxed)
        (s.availableOutgoingBitrate, s.transportFeedbackReceived) = output.transportEstimate
        return s
    }

    // MARK: network thread

    private func onRtp(_ bytes: [UInt8]) {
        guard let packet = try? RtpPacket(parsing: bytes) else { return }
        let now = MonotonicClock.now()
        // One loop-bound access per packet for the routing tables.
        let receiver = net.withValue { n -> Receiver? in
            guard let streams = n.streams else { return nil }
            if let id = streams.transportCcExtensionId, let data = packet.extensionData(id: id),
               let seq = HeaderExtensions.decodeTransportSequenceNumber(data) {
                n.transportFeedback.onPacket(transportSequenceNumber: seq, ssrc: packet.ssrc, arrivalNs: now)
            }
            for id in streams.midExtensionIds {
                if let data = packet.extensionData(id: id), let mid = HeaderExtensions.decodeMid(data), let r = n.byMid[mid] {
                    n.bySsrc[packet.ssrc] = r  // Chromium stops sending the mid once we have sent RTCP
                    return r
                }
            }
            if let r = n.bySsrc[packet.ssrc] { return r }
            if let r = n.byPayloadType[packet.payloadType] {
                n.bySsrc[packet.ssrc] = r
                return r
            }
            n.unroutedPackets += 1
            return nil
        }
        switch receiver {
        case .video(let r)?: r.receive(packet, size: bytes.count, nowNs: now)
        case .audio(let r)?: r.receive(packet, size: bytes.count, nowNs: now)
        case nil: break
        }
    }

    private func onRtcp(_ bytes: [UInt8]) {
        guard let streams = net.value.streams, let packets = try? RtcpPacket.parseCompound(bytes) else { return }
        let now = MonotonicClock.now()
        for packet in packets {
            switch packet {
            case .senderReport(let sr):
                for r in streams.videoReceivers { r.onSenderReport(sr, nowNs: now) }
                for r in streams.audioReceivers { r.onSenderReport(sr, nowNs: now) }
                measureRtt(sr.reports, streams, nowNs: now)
            case .receiverReport(let rr):
                measureRtt(rr.reports, streams, nowNs: now)
            case .transportFeedback(let fb):
                onTransportFeedback(fb, streams, nowNs: now)
                continue
            case .sourceDescription, .goodbye, .unknown:
                continue
            default:
                break
            }
            for s in streams.videoSenders { s.rtcp(packet, nowNs: now) }
            for s in streams.audioSenders { s.rtcp(packet, nowNs: now) }
        }
    }

    /// RTT from the blocks about our streams, before the streams see the report.
    private func measureRtt(_ blocks: [ReportBlock], _ streams: Streams, nowNs: UInt64) {
        for block in blocks {
            guard let smoothed = net.value.reports.reportBlock(block, nowNs: nowNs) else { continue }
            smoothedRttMs.withLock { $0 = Double(smoothed) / 1e6 }
            net.value.rttNs = smoothed
            for r in streams.videoReceivers { r.updateRtt(smoothed) }
            streams.videoSenders.first { $0.ssrc == block.ssrc }?.updateRtt(smoothed)
            streams.audioSenders.first { $0.ssrc == block.ssrc }?.updateRtt(smoothed)
        }
    }

    /// The peer's transport-cc feedback about our packets: the transport's estimate less what audio sends goes to
    /// the video senders.
    private func onTransportFeedback(_ feedback: TransportFeedback, _ streams: Streams, nowNs: UInt64) {
        guard let estimate = output.onTransportFeedback(feedback, rttNs: net.value.rttNs, nowNs: nowNs),
              !streams.videoSenders.isEmpty else { return }
        let audio = streams.audioSenders.reduce(0) { $0 + $1.bitrate(nowNs: nowNs) }
        let perVideo = max(0, estimate - audio) / streams.videoSenders.count
        for s in streams.videoSenders { s.bandwidthEstimate(perVideo, nowNs: nowNs) }
    }

    /// Pacer timer: each video sender sends what is due; false once stopped.
    private func pace() -> Bool {
        guard let streams = net.value.streams else { return true }
        let now = MonotonicClock.now()
        for s in streams.videoSenders { s.pace(nowNs: now) }
        return true
    }

    /// Timer: the receivers' feedback, with the reports when they are due; false once stopped.
    private func poll() -> Bool {
        guard let streams = net.value.streams else { return true }
        let now = MonotonicClock.now()
        var feedback: [RtcpPacket] = []
        for r in streams.videoReceivers { feedback += r.poll(nowNs: now) }
        for r in streams.audioReceivers { feedback += r.poll(nowNs: now) }
        if streams.transportCcExtensionId != nil {
            let due = net.value.transportFeedback.poll(senderSsrc: streams.feedbackSsrc, nowNs: now)
            transportFeedbackSent.add(due.count, ordering: .relaxed)
            feedback += due.map(RtcpPacket.transportFeedback)
        }
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let unixNs = UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
        let reports = net.value.reports.poll(
            nowNs: now, unixNs: unixNs,
            senders: streams.videoSenders.map(\.sendStats) + streams.audioSenders.map(\.sendStats),
            blocks: { streams.videoReceivers.compactMap { $0.makeReportBlock(nowNs: now) }
                      + streams.audioReceivers.compactMap { $0.makeReportBlock(nowNs: now) } },
            feedbackSsrc: streams.feedbackSsrc)
        // Feedback alone goes as reduced-size RTCP (rtcp-rsize).
        output.send(rtcp: reports + feedback)
        return true
    }
}
