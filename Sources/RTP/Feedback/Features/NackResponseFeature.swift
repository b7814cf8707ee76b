/// RFC 4585 generic NACK, sending side: answers from the packets sent in the last max(1 s, 3 × RTT), with the
/// stored SRTP bytes again or, when negotiated, an RFC 4588 RTX packet (`NackResponder`). A NACK for packets
/// no longer kept (after an outage longer than the retention) forces a keyframe: the receiver cannot complete
/// those frames, and would otherwise wait for its own keyframe timeout (Chromium's is about 3 s).
package struct NackResponseFeature: StreamFeature, Sendable {
    package private(set) var responder: NackResponder
    /// Least time between two keyframes forced by unanswerable NACKs: 1 s.
    package static let missKeyframeSpacingNs: UInt64 = 1_000_000_000
    private var lastMissKeyframeNs: UInt64?

    package init(rtx: NackResponder.RtxParameters?) { responder = NackResponder(rtx: rtx) }

    package mutating func sent(_ packet: RtpPacket, protected: [UInt8], _ stream: inout StreamContext, nowNs: UInt64) {
        if let rtt = stream.rttNs { responder.rttNs = rtt }
        responder.onSent(packet, protectedBytes: protected, nowNs: nowNs)
    }

    package mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        guard case .nack(let nack) = packet, nack.mediaSsrc == stream.mediaSsrc else { return [] }
        if let rtt = stream.rttNs { responder.rttNs = rtt }
        let missesBefore = responder.misses
        var actions: [FeedbackAction] = responder.respond(to: nack, nowNs: nowNs).map { answer in
            switch answer {
            case .protectedBytes(let bytes): .resendProtected(bytes)
            case .rtx(let p): .sendRtp(p)
            }
        }
        if responder.misses > missesBefore, lastMissKeyframeNs.map({ nowNs >= $0 + Self.missKeyframeSpacingNs }) ?? true {
            lastMissKeyframeNs = nowNs
            actions.append(.forceKeyframe)
        }
        return actions
    }
}
