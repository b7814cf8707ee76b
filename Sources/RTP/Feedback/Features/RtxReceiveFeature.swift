/// RFC 4588 retransmission, receiving side: an RTX packet becomes the packet it repairs (marked as a
/// retransmission); padding-only probes carry no media and are consumed.
package struct RtxReceiveFeature: StreamFeature, Sendable {
    package let rtxPayloadType: UInt8
    package let mediaPayloadType: UInt8

    package init(rtxPayloadType: UInt8, mediaPayloadType: UInt8) {
        self.rtxPayloadType = rtxPayloadType
        self.mediaPayloadType = mediaPayloadType
    }

    package mutating func unwrap(_ packet: RtpPacket, _ stream: inout StreamContext) -> RtpPacket? {
        guard packet.payloadType == rtxPayloadType else { return packet }
        guard let ssrc = stream.mediaSsrc,
              let original = try? Rtx.decapsulate(packet, mediaSsrc: ssrc, mediaPayloadType: mediaPayloadType),
              !original.payload.isEmpty else { return nil }
        stream.isRetransmission = true
        return original
    }
}
