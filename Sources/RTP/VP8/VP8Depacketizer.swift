/// What one VP8 RTP payload contributes to its frame.
package struct DepacketizedVideo: Sendable, Equatable {
    /// Frame bytes in this packet (descriptor stripped).
    package var data: [UInt8]
    /// True on the first packet of a frame.
    package var isStartOfFrame: Bool
    /// True when this packet starts a keyframe (only meaningful with `isStartOfFrame`).
    package var isKeyframe: Bool
    /// Picture ID if the sender includes one.
    package var pictureId: UInt16?
    /// True when the picture ID is 15 bits wide (else 7).
    package var pictureIdIs15Bit: Bool

    package init(data: [UInt8], isStartOfFrame: Bool, isKeyframe: Bool, pictureId: UInt16? = nil,
                pictureIdIs15Bit: Bool = true) {
        self.data = data; self.isStartOfFrame = isStartOfFrame; self.isKeyframe = isKeyframe
        self.pictureId = pictureId; self.pictureIdIs15Bit = pictureIdIs15Bit
    }
}

/// Strips the VP8 payload descriptor (RFC 7741) and tells frame starts and keyframes apart.
package enum VP8Depacketizer {
    /// Parses one RTP payload; throws when the descriptor is cut short or no frame bytes follow.
    package static func depacketize(_ payload: [UInt8]) throws(RtpParseError) -> DepacketizedVideo {
        let (d, size) = try VP8PayloadDescriptor.parse(payload)
        guard size < payload.count else { throw .malformed("VP8 payload has a descriptor but no frame data") }
        let data = Array(payload[size...])
        // Frame tag bit 0 (P) is 0 for keyframes (RFC 6386 §9.1); it is only present at the frame start.
        let key = d.isStartOfFrame && data[0] & 0x01 == 0
        return DepacketizedVideo(data: data, isStartOfFrame: d.isStartOfFrame, isKeyframe: key, pictureId: d.pictureId,
                                 pictureIdIs15Bit: d.pictureIdIs15Bit)
    }
}
