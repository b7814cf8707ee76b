import Media
import RTP
import SDP
import Synchronization
import WebRTCTransport

/// One inbound m-line, for any media: the network thread runs the packets through the stream's features
/// (RTX, REMB, NACK, PLI), keeps reception statistics for the reports and hands accepted packets to the
/// pipeline, which decodes or plays them out on its own thread.
/// `@unchecked Sendable`: `net` is loop-bound; statistics are behind a Mutex; the rest is immutable.
final class RtpReceiver<Pipeline: ReceivePipeline>: @unchecked Sendable {
    let media: NegotiatedMedia
    let payloadType: UInt8
    private let pipeline: Pipeline
    private let statistics: InboundStatistics

    private struct NetworkState {
        var stream: StreamContext
        var features: FeatureChain
        var receiveStats: ReceiveStatistics?
    }
    private let net: LoopBound<NetworkState>

    init(media: NegotiatedMedia, payloadType: UInt8, pipeline: Pipeline, features: [any StreamFeature & Sendable],
         feedbackSsrc: UInt32, loop: NetworkLoop) {
        self.media = media
        self.payloadType = payloadType
        self.pipeline = pipeline
        statistics = InboundStatistics(mid: media.mid, kind: Pipeline.kind)
        net = LoopBound(NetworkState(stream: StreamContext(feedbackSsrc: feedbackSsrc, mediaSsrc: media.remoteSsrc),
                                     features: FeatureChain(features)), loop: loop)
    }

    func start() throws { try pipeline.start(statistics: statistics) }
    func stop() { pipeline.stop() }

    // MARK: network thread

    /// The peer's SSRC of this stream, once known.
    var mediaSsrc: UInt32? { net.value.stream.mediaSsrc }

    /// One RTP packet routed to this m-line (media or RTX), `size` bytes as it arrived.
    /// One loop-bound access for the whole packet: the thread is checked once, not per field.
    func receive(_ packet: RtpPacket, size: Int, nowNs: UInt64) {
        let accepted: (packet: RtpPacket, isRtx: Bool, stats: ReceiveStatistics?)? = net.withValue { n in
            n.stream.isRetransmission = false
            n.stream.packetBytes = size
            n.stream.packetArrivalNs = nowNs
            guard let p = n.features.unwrap(packet, &n.stream), p.payloadType == payloadType else { return nil }
            if n.stream.mediaSsrc != p.ssrc || n.receiveStats == nil {
                if n.stream.mediaSsrc != nil && n.stream.mediaSsrc != p.ssrc {
                    pipeline.restart()
                    n.features.restart()
                }
                n.stream.mediaSsrc = p.ssrc
                n.receiveStats = ReceiveStatistics(ssrc: p.ssrc, clockRate: pipeline.clockRate)
            }
            let isRtx = n.stream.isRetransmission
            n.receiveStats?.onPacket(sequenceNumber: p.sequenceNumber, rtpTimestamp: p.timestamp,
                                     payloadBytes: p.payload.count, arrivalNs: nowNs, isRetransmission: isRtx)
            n.features.received(p, &n.stream, nowNs: nowNs)
            return (p, isRtx, n.receiveStats)
        }
        guard let accepted else { return }
        let rs = accepted.stats
        statistics.state.withLock {
            $0.stats.ssrc = accepted.packet.ssrc
            $0.stats.bytesReceived += size
            $0.stats.packetsReceived = Int(rs?.packetsReceived ?? 0)
            $0.stats.packetsLost = Int(max(0, rs?.cumulativeLost ?? 0))
            $0.stats.jitterMs = (rs?.jitterNs ?? 0) / 1e6
            if accepted.isRtx { $0.stats.retransmittedPacketsReceived += 1 }
            $0.bits.add(size * 8, nowNs: nowNs)
        }
        delivered(pipeline.insert(accepted.packet, nowNs: nowNs), nowNs: nowNs)
    }

    private func delivered(_ keyframes: [Bool], nowNs: UInt64) {
        guard !keyframes.isEmpty else { return }
        net.withValue { n in for k in keyframes { n.features.frame(isKeyframe: k, &n.stream, nowNs: nowNs) } }
        statistics.update { $0.framesAssembled += keyframes.count }
    }

    /// Feedback timer: late frames, then the features' NACK, PLI, REMB. Returns the RTCP to send.
    func poll(nowNs: UInt64) -> [RtcpPacket] {
        delivered(pipeline.poll(nowNs: nowNs), nowNs: nowNs)
        let actions = net.withValue { n in
            n.stream.firstWantedSequenceNumber = pipeline.firstWantedSequenceNumber
            n.stream.needsKeyframe = pipeline.needsKeyframe
            return n.features.poll(&n.stream, nowNs: nowNs)
        }
        let out = actions.compactMap { action -> RtcpPacket? in
            if case .sendRtcp(let packet) = action { packet } else { nil }
        }
        guard !out.isEmpty else { return [] }
        statistics.update { s in
            for packet in out {
                if case .nack = packet { s.nackSent += 1 }
                if case .pli = packet { s.pliSent += 1 }
            }
        }
        return out
    }

    func onSenderReport(_ sr: SenderReport, nowNs: UInt64) {
        guard sr.ssrc == net.value.stream.mediaSsrc else { return }
        net.value.receiveStats?.onSenderReport(sr, arrivalNs: nowNs)
    }

    func makeReportBlock(nowNs: UInt64) -> ReportBlock? { net.value.receiveStats?.makeReportBlock(nowNs: nowNs) }

    func updateRtt(_ rttNs: UInt64) {
        net.value.stream.rttNs = rttNs
        pipeline.updateRtt(rttNs)
    }

    /// Any thread.
    func stats(nowNs: UInt64) -> InboundStreamStats {
        statistics.state.withLock { s in
            var out = s.stats
            out.framesPerSecond = Pipeline.kind == "video" ? s.fps.rate(nowNs: nowNs) : 0
            out.bitrate = s.bits.rate(nowNs: nowNs)
            return out
        }
    }
}
