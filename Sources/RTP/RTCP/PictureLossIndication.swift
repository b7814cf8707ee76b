/// Picture loss indication (RFC 4585 §6.3.1, PT 206 FMT 1): the receiver needs a keyframe.
package struct PictureLossIndication: Sendable, Equatable {
    static let fmt: UInt8 = 1

    /// SSRC of the receiver sending this request.
    package var senderSsrc: UInt32
    /// SSRC of the video stream that needs a keyframe.
    package var mediaSsrc: UInt32

    package init(senderSsrc: UInt32, mediaSsrc: UInt32) { self.senderSsrc = senderSsrc; self.mediaSsrc = mediaSsrc }

    init(body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        senderSsrc = try r.u32("PLI sender SSRC")
        mediaSsrc = try r.u32("PLI media SSRC")
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        w.u32(senderSsrc); w.u32(mediaSsrc)
        return w.bytes
    }
}
