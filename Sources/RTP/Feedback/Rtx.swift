/// RTP retransmission payload format (RFC 4588): the original sequence number (OSN) prepended to the original
/// payload, sent with the RTX payload type on the RTX SSRC and its own sequence numbers.
package enum Rtx {
    /// Wraps `original` as an RTX packet (marker, timestamp and header extensions kept, padding dropped).
    package static func encapsulate(_ original: RtpPacket, rtxPayloadType: UInt8, rtxSsrc: UInt32,
                                   rtxSequenceNumber: UInt16) -> RtpPacket {
        var p = original
        p.payloadType = rtxPayloadType & 0x7F
        p.ssrc = rtxSsrc
        p.sequenceNumber = rtxSequenceNumber
        p.paddingSize = 0
        p.payload = [UInt8(original.sequenceNumber >> 8), UInt8(original.sequenceNumber & 0xFF)] + original.payload
        return p
    }

    /// Restores the original packet from an RTX packet; throws when it has no OSN.
    /// An RTX packet with only an OSN and no payload is padding (bandwidth probing): check `payload.isEmpty`.
    package static func decapsulate(_ rtx: RtpPacket, mediaSsrc: UInt32, mediaPayloadType: UInt8) throws(RtpParseError) -> RtpPacket {
        guard rtx.payload.count >= 2 else {
            throw .truncated(what: "RTX original sequence number", need: 2, have: rtx.payload.count)
        }
        var p = rtx
        p.sequenceNumber = UInt16(rtx.payload[0]) << 8 | UInt16(rtx.payload[1])
        p.payload = Array(rtx.payload[2...])
        p.ssrc = mediaSsrc
        p.payloadType = mediaPayloadType & 0x7F
        p.paddingSize = 0
        return p
    }
}
