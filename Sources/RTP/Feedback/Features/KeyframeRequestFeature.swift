/// RFC 4585 PLI and RFC 5104 FIR, sending side: at most one forced keyframe per 300 ms, repeated FIR sequence
/// numbers ignored (`KeyframeRequestHandler`).
package struct KeyframeRequestFeature: StreamFeature, Sendable {
    package private(set) var handler: KeyframeRequestHandler

    package init(handler: KeyframeRequestHandler = KeyframeRequestHandler()) { self.handler = handler }

    package mutating func frame(isKeyframe: Bool, _ stream: inout StreamContext, nowNs: UInt64) {
        if isKeyframe { handler.onKeyframeSent(nowNs: nowNs) }
    }

    package mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        guard let ssrc = stream.mediaSsrc else { return [] }
        switch packet {
        case .pli(let pli) where pli.mediaSsrc == ssrc:
            return handler.onPli(nowNs: nowNs) ? [.forceKeyframe] : []
        case .fir(let fir) where fir.entries.contains(where: { $0.ssrc == ssrc }):
            return handler.onFir(fir, mediaSsrc: ssrc, nowNs: nowNs) ? [.forceKeyframe] : []
        default:
            return []
        }
    }
}
