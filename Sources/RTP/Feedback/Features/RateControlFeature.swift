/// Our sending rate: the peer's REMB or our delay-based transport-cc estimate caps it, loss in its report blocks
/// about our stream moves it (`LossBasedRateController`: up below 2 % loss, cut above 10 %; samples of at least
/// 20 packets, `LossReportAccumulator`). Asks the encoder only on a change.
package struct RateControlFeature: StreamFeature, Sendable {
    package private(set) var controller: LossBasedRateController
    package private(set) var appliedBitrate: Int
    private var loss = LossReportAccumulator()

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
            guard let fractionLost = loss.add(block) else { continue }
            out += apply(controller.onLossReport(fractionLost: fractionLost, nowNs: nowNs))
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
