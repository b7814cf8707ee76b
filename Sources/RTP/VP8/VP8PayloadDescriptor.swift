/// The VP8 payload descriptor at the start of every VP8 RTP payload (RFC 7741 §4.2).
package struct VP8PayloadDescriptor: Sendable, Equatable {
    /// N: the frame can be discarded without affecting others.
    package var nonReference: Bool
    /// S: this packet starts a VP8 partition.
    package var startOfPartition: Bool
    /// PID: partition index (0 for the first partition).
    package var partitionId: UInt8
    /// Picture ID (7 or 15 bits), nil when absent.
    package var pictureId: UInt16?
    /// True when the Picture ID uses the 15-bit form (M bit).
    package var pictureIdIs15Bit: Bool
    /// Temporal layer 0 picture index.
    package var tl0PicIdx: UInt8?
    /// Temporal layer index (T bit).
    package var temporalLayerId: UInt8?
    /// Y: layer sync bit (meaningful when `temporalLayerId` is present).
    package var layerSync: Bool
    /// Temporal key frame index (K bit).
    package var keyIndex: UInt8?

    package init(nonReference: Bool = false, startOfPartition: Bool, partitionId: UInt8 = 0,
                pictureId: UInt16? = nil, pictureIdIs15Bit: Bool = true, tl0PicIdx: UInt8? = nil,
                temporalLayerId: UInt8? = nil, layerSync: Bool = false, keyIndex: UInt8? = nil) {
        self.nonReference = nonReference; self.startOfPartition = startOfPartition
        self.partitionId = partitionId & 0x0F; self.pictureId = pictureId; self.pictureIdIs15Bit = pictureIdIs15Bit
        self.tl0PicIdx = tl0PicIdx; self.temporalLayerId = temporalLayerId; self.layerSync = layerSync
        self.keyIndex = keyIndex
    }

    /// True on the packet that starts a frame (S = 1 and partition 0).
    package var isStartOfFrame: Bool { startOfPartition && partitionId == 0 }

    /// Parses the descriptor; returns it and its size in bytes.
    package static func parse(_ payload: [UInt8]) throws(RtpParseError) -> (VP8PayloadDescriptor, size: Int) {
        var r = RtpByteReader(payload)
        let b0 = try r.u8("VP8 payload descriptor")
        var d = VP8PayloadDescriptor(nonReference: b0 & 0x20 != 0, startOfPartition: b0 & 0x10 != 0,
                                     partitionId: b0 & 0x0F)
        d.pictureIdIs15Bit = false
        if b0 & 0x80 != 0 {
            let x = try r.u8("VP8 extension byte")
            if x & 0x80 != 0 {
                let p0 = try r.u8("VP8 PictureID")
                if p0 & 0x80 != 0 {
                    d.pictureIdIs15Bit = true
                    d.pictureId = UInt16(p0 & 0x7F) << 8 | UInt16(try r.u8("VP8 PictureID"))
                } else {
                    d.pictureId = UInt16(p0)
                }
            }
            if x & 0x40 != 0 { d.tl0PicIdx = try r.u8("VP8 TL0PICIDX") }
            if x & 0x30 != 0 {
                let tk = try r.u8("VP8 TID/KEYIDX")
                if x & 0x20 != 0 { d.temporalLayerId = tk >> 6; d.layerSync = tk & 0x20 != 0 }
                if x & 0x10 != 0 { d.keyIndex = tk & 0x1F }
            }
        }
        return (d, r.offset)
    }

    /// The descriptor bytes.
    package func serialized() -> [UInt8] {
        var w = RtpByteWriter()
        let hasT = temporalLayerId != nil, hasK = keyIndex != nil
        let extended = pictureId != nil || tl0PicIdx != nil || hasT || hasK
        w.u8((extended ? 0x80 : 0) | (nonReference ? 0x20 : 0) | (startOfPartition ? 0x10 : 0) | partitionId & 0x0F)
        guard extended else { return w.bytes }
        w.u8((pictureId != nil ? 0x80 : 0) | (tl0PicIdx != nil ? 0x40 : 0) | (hasT ? 0x20 : 0) | (hasK ? 0x10 : 0))
        if let pictureId {
            if pictureIdIs15Bit { w.u16(0x8000 | pictureId & 0x7FFF) } else { w.u8(UInt8(pictureId & 0x7F)) }
        }
        if let tl0PicIdx { w.u8(tl0PicIdx) }
        if hasT || hasK {
            w.u8((temporalLayerId ?? 0) << 6 | (layerSync ? 0x20 : 0) | (keyIndex ?? 0) & 0x1F)
        }
        return w.bytes
    }
}
