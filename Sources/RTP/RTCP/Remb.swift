/// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb, PT 206 FMT 15, "goog-remb"): the
/// receiver's estimate of what the listed streams together may send.
package struct Remb: Sendable, Equatable {
    static let fmt: UInt8 = 15
    /// The unique identifier "REMB" that tells this application-layer feedback apart.
    static let identifier: [UInt8] = Array("REMB".utf8)
    /// Width of the mantissa field.
    static let mantissaBits = 18

    /// SSRC of the receiver sending the estimate.
    package var senderSsrc: UInt32
    /// Always 0 on the wire (the streams are listed in `ssrcs`).
    package var mediaSsrc: UInt32
    /// Estimated maximum total bitrate in bits per second (mantissa × 2^exponent, rounded down when sent).
    package var bitrate: UInt64
    /// The media streams the estimate applies to.
    package var ssrcs: [UInt32]

    package init(senderSsrc: UInt32, mediaSsrc: UInt32 = 0, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSsrc = senderSsrc; self.mediaSsrc = mediaSsrc; self.bitrate = bitrate; self.ssrcs = ssrcs
    }

    /// Whether an FMT 15 payload-specific feedback body is a REMB (it could be another AFB message).
    static func matches(_ body: [UInt8]) -> Bool {
        body.count >= 12 && Array(body[8..<12]) == identifier
    }

    init(body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        senderSsrc = try r.u32("REMB sender SSRC")
        mediaSsrc = try r.u32("REMB media SSRC")
        guard try r.take(4, "REMB identifier") == Self.identifier else { throw .malformed("AFB message is not REMB") }
        let count = Int(try r.u8("REMB SSRC count"))
        let field = try r.u24("REMB bitrate")
        let exponent = Int(field >> 18), mantissa = UInt64(field & 0x3_FFFF)
        // A huge exponent would overflow; such an estimate means "no limit".
        if mantissa == 0 {
            bitrate = 0
        } else if exponent > mantissa.leadingZeroBitCount {
            bitrate = .max
        } else {
            bitrate = mantissa << exponent
        }
        ssrcs = []
        for _ in 0..<count { ssrcs.append(try r.u32("REMB SSRC list")) }
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        w.u32(senderSsrc); w.u32(mediaSsrc)
        w.append(Self.identifier)
        let list = ssrcs.prefix(255)
        w.u8(UInt8(list.count))
        var mantissa = bitrate, exponent: UInt32 = 0
        while mantissa >= 1 << Self.mantissaBits { mantissa >>= 1; exponent += 1 }
        w.u24(exponent << 18 | UInt32(mantissa))
        for s in list { w.u32(s) }
        return w.bytes
    }
}
