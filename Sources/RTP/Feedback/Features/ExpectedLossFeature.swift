/// Audio: Opus sizes its in-band FEC by the loss it expects, so the expected loss follows what the peer reports
/// about our stream (smoothed over report blocks, as libwebrtc's audio network adaptor does): more loss, more of
/// each packet carries the previous one; none, no FEC overhead. Asks the encoder only on a change.
package struct ExpectedLossFeature: StreamFeature, Sendable {
    /// Weight of a new report block's loss.
    package static let smoothing = 0.3
    /// Most expected loss handed to the encoder (libopus takes 0...100; beyond this FEC only costs bits).
    package static let maxPercent = 30

    package private(set) var smoothedLoss: Double?
    package private(set) var appliedPercent: Int?

    package init() {}

    package mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        guard let ssrc = stream.mediaSsrc else { return [] }
        var out: [FeedbackAction] = []
        for block in packet.reportBlocks where block.ssrc == ssrc {
            let loss = block.fractionLostRatio
            let smoothed = smoothedLoss.map { (1 - Self.smoothing) * $0 + Self.smoothing * loss } ?? loss
            smoothedLoss = smoothed
            let percent = min(Self.maxPercent, Int((smoothed * 100).rounded()))
            if percent != appliedPercent {
                appliedPercent = percent
                out.append(.setExpectedPacketLoss(percent))
            }
        }
        return out
    }
}
