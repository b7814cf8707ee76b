/// RTCP BYE (RFC 3550 §6.6, PT 203): the listed sources are leaving.
package struct Goodbye: Sendable, Equatable {
    /// Sources leaving.
    package var ssrcs: [UInt32]
    /// Optional reason text (at most 255 bytes).
    package var reason: String?

    package init(ssrcs: [UInt32], reason: String? = nil) { self.ssrcs = ssrcs; self.reason = reason }

    init(count: UInt8, body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        ssrcs = []
        for _ in 0..<count { ssrcs.append(try r.u32("BYE SSRC")) }
        reason = nil
        if r.remaining > 0 {
            let len = Int(try r.u8("BYE reason length"))
            let text = try r.take(len, "BYE reason")
            reason = String(decoding: text, as: UTF8.self)
        }
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        for s in ssrcs.prefix(31) { w.u32(s) }
        if let reason {
            let text = Array(reason.utf8.prefix(255))
            w.u8(UInt8(text.count)); w.append(text)
        }
        return w.bytes
    }
}
