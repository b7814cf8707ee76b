/// Our sending rate: the peer's REMB or our delay-based transport-cc estimate caps it, loss in its report blocks
/// about our stream moves it (`LossBasedRateController`: up below 2 % loss, cut above 10 %; samples of at least
/// 20 packets, `LossReportAccumulator`, smoothed over about six). Asks the encoder only on a change.
package struct RateControlFeature: StreamFeature, Sendable {
    package private(set) var controller: LossBasedRateController
    package private(set) var appliedBitrate: Int
    private var loss = LossReportAccumulator()
    private var smoothedLoss: Double?
    /// Weight of a new loss sample: 0.3. 20 packets at 10 % random loss read anywhere from 0 to 25 %; one such
    /// sample must not make the inherent loss 0 and the next one a cut.
    package static let lossSmoothing = 0.3

    package init(startBitrate: Int) {
        controller = LossBasedRateController(startBitrate: startBitrate)
        appliedBitrate = startBitrate
    }

    package mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        guard let ssrc = stream.mediaSsrc else { return [] }
        if case .remb(let remb) = packet, remb.ssrcs.isEmpty || remb.ssrcs.contains(ssrc) {
            return apply(controller.onRemb(bitrate: remb.bitrate))
        }
        var out: [FeedbackAction] = []
        for block in packet.reportBlocks where block.ssrc == ssrc {
            if let rtt = stream.rttNs { controller.rttNs = rtt }
            guard let sample = loss.add(block) else { continue }
            let smoothed = smoothedLoss.map { $0 + Self.lossSmoothing * (sample - $0) } ?? sample
            smoothedLoss = smoothed
            out += apply(controller.onLossReport(fractionLost: smoothed, nowNs: nowNs))
        }
        return out
    }

    package mutating func bandwidthEstimate(_ bitsPerSecond: Int, _ stream: inout StreamContext,
                                            nowNs: UInt64) -> [FeedbackAction] {
        apply(controller.onDelayBasedEstimate(bitrate: bitsPerSecond))
    }

    private mutating func apply(_ target: Int) -> [FeedbackAction] {
        guard target != appliedBitrate else { return [] }
        appliedBitrate = target
        return [.setTargetBitrate(target)]
    }
}
