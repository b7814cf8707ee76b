/// One RTP packet (RFC 3550 §5.1) with RFC 8285 header extensions, parsed or ready to serialize.
package struct RtpPacket: Sendable, Equatable {
    /// Bytes of the fixed header before CSRCs.
    package static let fixedHeaderSize = 12
    /// RFC 8285 one-byte extension profile ("0xBEDE").
    package static let oneByteProfile: UInt16 = 0xBEDE
    /// RFC 8285 two-byte extension profile (upper 12 bits; the low 4 "appbits" are ignored).
    package static let twoByteProfile: UInt16 = 0x1000

    /// Marks the last packet of a video frame (codec specific meaning).
    package var marker: Bool
    /// 7-bit payload type as negotiated in SDP.
    package var payloadType: UInt8
    /// Increments by one per packet (wraps).
    package var sequenceNumber: UInt16
    /// Media clock time of the payload (90 kHz video, 48 kHz Opus).
    package var timestamp: UInt32
    /// Synchronisation source: the stream.
    package var ssrc: UInt32
    /// Contributing sources (at most 15).
    package var csrcs: [UInt32]
    /// RFC 8285 header extension elements, in wire order.
    package var extensions: [RtpHeaderExtension]
    /// A header extension block in some other profile, kept verbatim (serialized only when `extensions` is empty).
    package var otherExtension: RtpRawHeaderExtension?
    /// Codec payload, padding removed.
    package var payload: [UInt8]
    /// Padding bytes after the payload (0 = no padding); the last one holds the count.
    package var paddingSize: UInt8

    /// A packet from its fields.
    package init(payloadType: UInt8, sequenceNumber: UInt16, timestamp: UInt32, ssrc: UInt32,
                marker: Bool = false, csrcs: [UInt32] = [], extensions: [RtpHeaderExtension] = [],
                payload: [UInt8] = [], paddingSize: UInt8 = 0) {
        self.payloadType = payloadType & 0x7F; self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp; self.ssrc = ssrc; self.marker = marker; self.csrcs = csrcs
        self.extensions = extensions; self.otherExtension = nil
        self.payload = payload; self.paddingSize = paddingSize
    }

    /// Whether a datagram on an rtcp-mux port is RTCP rather than RTP (RFC 5761 §4: PT 64...95).
    package static func isRtcp(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && (192...223).contains(bytes[1])
    }

    /// Parses a whole RTP packet; throws on anything inconsistent, never traps.
    package init(parsing bytes: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(bytes)
        let b0 = try r.u8("RTP header")
        guard b0 >> 6 == 2 else { throw .badVersion(Int(b0 >> 6)) }
        let hasPadding = b0 & 0x20 != 0, hasExtension = b0 & 0x10 != 0, csrcCount = Int(b0 & 0x0F)
        let b1 = try r.u8("RTP header")
        marker = b1 & 0x80 != 0
        payloadType = b1 & 0x7F
        sequenceNumber = try r.u16("sequence number")
        timestamp = try r.u32("timestamp")
        ssrc = try r.u32("SSRC")
        csrcs = []
        for _ in 0..<csrcCount { csrcs.append(try r.u32("CSRC list")) }
        extensions = []
        otherExtension = nil
        if hasExtension {
            let profile = try r.u16("extension profile")
            let words = Int(try r.u16("extension length"))
            let data = try r.take(words * 4, "header extension")
            if profile == Self.oneByteProfile {
                extensions = try RtpHeaderExtension.parseOneByte(data)
            } else if profile & 0xFFF0 == Self.twoByteProfile {
                extensions = try RtpHeaderExtension.parseTwoByte(data)
            } else {
                otherExtension = RtpRawHeaderExtension(profile: profile, data: data)
            }
        }
        var end = bytes.count
        paddingSize = 0
        if hasPadding {
            guard let last = bytes.last, last > 0 else { throw .malformed("padding bit set but padding count is 0") }
            guard Int(last) <= r.remaining else {
                throw .malformed("padding count \(last) exceeds the \(r.remaining) bytes after the header")
            }
            paddingSize = last
            end -= Int(last)
        }
        payload = Array(bytes[r.offset..<end])
    }

    /// Bytes of the header including CSRCs and extensions.
    package var headerSize: Int { serializedHeader().count }

    /// The packet as sent on the wire.
    package func serialized() -> [UInt8] {
        var w = RtpByteWriter()
        w.bytes = serializedHeader()
        w.append(payload)
        if paddingSize > 0 {
            w.append(repeatElement(0, count: Int(paddingSize) - 1))
            w.u8(paddingSize)
        }
        return w.bytes
    }

    private func serializedHeader() -> [UInt8] {
        var w = RtpByteWriter()
        w.bytes.reserveCapacity(Self.fixedHeaderSize + 4 * csrcs.count + 32)
        let block: (profile: UInt16, data: [UInt8])? =
            !extensions.isEmpty ? RtpHeaderExtension.serialize(extensions)
            : otherExtension.map { ($0.profile, $0.data) }
        var b0: UInt8 = 2 << 6 | UInt8(min(csrcs.count, 15))
        if paddingSize > 0 { b0 |= 0x20 }
        if block != nil { b0 |= 0x10 }
        w.u8(b0)
        w.u8((marker ? 0x80 : 0) | payloadType & 0x7F)
        w.u16(sequenceNumber)
        w.u32(timestamp)
        w.u32(ssrc)
        for c in csrcs.prefix(15) { w.u32(c) }
        if let block {
            var data = block.data
            while data.count % 4 != 0 { data.append(0) }
            w.u16(block.profile)
            w.u16(UInt16(clamping: data.count / 4))
            w.append(data)
        }
        return w.bytes
    }

    /// The data of the first extension element with `id`, if present.
    package func extensionData(id: UInt8) -> [UInt8]? {
        extensions.first { $0.id == id }?.data
    }

    /// Replaces (or appends) the extension element with `id`.
    package mutating func setExtension(id: UInt8, data: [UInt8]) {
        if let i = extensions.firstIndex(where: { $0.id == id }) {
            extensions[i].data = data
        } else {
            extensions.append(RtpHeaderExtension(id: id, data: data))
        }
    }
}

/// A header extension block in a profile other than RFC 8285's, kept as bytes.
package struct RtpRawHeaderExtension: Sendable, Equatable {
    /// The 16-bit "defined by profile" field.
    package var profile: UInt16
    /// Extension bytes, a multiple of 4.
    package var data: [UInt8]
    package init(profile: UInt16, data: [UInt8]) { self.profile = profile; self.data = data }
}
