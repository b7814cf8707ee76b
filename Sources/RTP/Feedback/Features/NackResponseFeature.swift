/// RFC 4585 generic NACK, sending side: answers from the packets sent in the last max(1 s, 3 × RTT), with the
/// stored SRTP bytes again or, when negotiated, an RFC 4588 RTX packet (`NackResponder`).
package struct NackResponseFeature: StreamFeature, Sendable {
    package private(set) var responder: NackResponder

    package init(rtx: NackResponder.RtxParameters?) { responder = NackResponder(rtx: rtx) }

    package mutating func sent(_ packet: RtpPacket, protected: [UInt8], _ stream: inout StreamContext, nowNs: UInt64) {
        if let rtt = stream.rttNs { responder.rttNs = rtt }
        responder.onSent(packet, protectedBytes: protected, nowNs: nowNs)
    }

    package mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        guard case .nack(let nack) = packet, nack.mediaSsrc == stream.mediaSsrc else { return [] }
        if let rtt = stream.rttNs { responder.rttNs = rtt }
        return responder.respond(to: nack, nowNs: nowNs).map { answer in
            switch answer {
            case .protectedBytes(let bytes): .resendProtected(bytes)
            case .rtx(let p): .sendRtp(p)
            }
        }
    }
}
