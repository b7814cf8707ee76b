/// One RFC 8285 header extension element: a negotiated local id and its bytes.
package struct RtpHeaderExtension: Sendable, Equatable {
    /// Id from the SDP `a=extmap` line (1...14 fit the one-byte form, up to 255 the two-byte form).
    package var id: UInt8
    /// Element bytes (0...255; 1...16 in the one-byte form).
    package var data: [UInt8]

    package init(id: UInt8, data: [UInt8]) { self.id = id; self.data = data }

    /// Elements of a one-byte (0xBEDE) block: 4-bit id, 4-bit length-1; zero bytes are padding; id 15 stops.
    static func parseOneByte(_ bytes: [UInt8]) throws(RtpParseError) -> [RtpHeaderExtension] {
        var r = RtpByteReader(bytes)
        var out: [RtpHeaderExtension] = []
        while r.remaining > 0 {
            let b = try r.u8("one-byte extension")
            if b == 0 { continue }
            let id = b >> 4
            if id == 15 { break }
            guard id != 0 else { throw .malformed("one-byte header extension with id 0 and a length") }
            out.append(RtpHeaderExtension(id: id, data: try r.take(Int(b & 0x0F) + 1, "one-byte extension data")))
        }
        return out
    }

    /// Elements of a two-byte (0x100X) block: 8-bit id, 8-bit length; zero bytes are padding.
    static func parseTwoByte(_ bytes: [UInt8]) throws(RtpParseError) -> [RtpHeaderExtension] {
        var r = RtpByteReader(bytes)
        var out: [RtpHeaderExtension] = []
        while r.remaining > 0 {
            let id = try r.u8("two-byte extension")
            if id == 0 { continue }
            let len = Int(try r.u8("two-byte extension length"))
            out.append(RtpHeaderExtension(id: id, data: try r.take(len, "two-byte extension data")))
        }
        return out
    }

    /// Profile and unpadded bytes for `elements`: the one-byte form when every element fits it.
    static func serialize(_ elements: [RtpHeaderExtension]) -> (profile: UInt16, data: [UInt8]) {
        let oneByte = elements.allSatisfy { (1...14).contains($0.id) && (1...16).contains($0.data.count) }
        var w = RtpByteWriter()
        for e in elements {
            if oneByte {
                w.u8(e.id << 4 | UInt8(e.data.count - 1))
                w.append(e.data)
            } else {
                let data = e.data.prefix(255)
                w.u8(e.id)
                w.u8(UInt8(data.count))
                w.append(data)
            }
        }
        return (oneByte ? RtpPacket.oneByteProfile : RtpPacket.twoByteProfile, w.bytes)
    }
}

/// Encoders and decoders for the header extensions tuicall uses, with the URIs that name them in SDP.
package enum HeaderExtensions {
    /// `a=extmap` URI of the BUNDLE media id extension (RFC 8843).
    package static let midURI = "urn:ietf:params:rtp-hdrext:sdes:mid"
    /// `a=extmap` URI of Chromium's absolute send time extension (used by REMB).
    package static let absSendTimeURI = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    /// Units per second of abs-send-time (6.18 fixed point).
    package static let absSendTimeUnitsPerSecond: UInt64 = 1 << 18
    /// abs-send-time wraps every 64 seconds.
    package static let absSendTimeMask: UInt32 = 0x00FF_FFFF

    /// The bytes of a mid value (UTF-8, no terminator).
    /// transport-wide-cc: a 16-bit sequence number shared by every stream of the transport.
    package static func encodeTransportSequenceNumber(_ seq: UInt16) -> [UInt8] { [UInt8(seq >> 8), UInt8(seq & 0xFF)] }

    package static func decodeTransportSequenceNumber(_ data: [UInt8]) -> UInt16? {
        data.count == 2 ? UInt16(data[0]) << 8 | UInt16(data[1]) : nil
    }

    package static func encodeMid(_ mid: String) -> [UInt8] { Array(mid.utf8) }

    /// The mid carried by an extension element; nil when empty or not UTF-8.
    package static func decodeMid(_ data: [UInt8]) -> String? {
        // Some senders pad with NULs; they are not part of the id.
        let trimmed = data.prefix { $0 != 0 }
        guard !trimmed.isEmpty else { return nil }
        return String(validating: trimmed, as: UTF8.self)
    }

    /// The 3 bytes of abs-send-time for a send time in nanoseconds (any clock; only differences matter).
    package static func encodeAbsSendTime(ns: UInt64) -> [UInt8] {
        let v = absSendTime(ns: ns)
        return [UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// The 24-bit 6.18 fixed-point value for a time in nanoseconds.
    package static func absSendTime(ns: UInt64) -> UInt32 {
        // Multiply in two steps so that no realistic clock value overflows.
        let secs = ns / 1_000_000_000, rem = ns % 1_000_000_000
        let units = (secs << 18) + (rem << 18) / 1_000_000_000
        return UInt32(truncatingIfNeeded: units) & absSendTimeMask
    }

    /// The 24-bit value of an abs-send-time element; nil unless it is exactly 3 bytes.
    package static func decodeAbsSendTime(_ data: [UInt8]) -> UInt32? {
        guard data.count == 3 else { return nil }
        return UInt32(data[0]) << 16 | UInt32(data[1]) << 8 | UInt32(data[2])
    }

    /// Signed difference `b - a` of two abs-send-time values in nanoseconds, allowing for the 64 s wrap.
    package static func absSendTimeDeltaNs(from a: UInt32, to b: UInt32) -> Int64 {
        var d = Int64((b &- a) & absSendTimeMask)
        if d >= 1 << 23 { d -= 1 << 24 }
        return d * 1_000_000_000 / Int64(absSendTimeUnitsPerSecond)
    }
}
