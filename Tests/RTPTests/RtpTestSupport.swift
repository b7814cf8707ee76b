@testable import RTP
import Media

/// Seeded so shuffles and fuzz inputs are the same on every run.
typealias RtpTestRandom = SplitMix64

/// Bytes from a hex string; spaces and newlines are ignored.
func rtpHex(_ s: String) -> [UInt8] {
    let digits = s.filter { $0.isHexDigit }
    precondition(digits.count % 2 == 0, "odd hex string")
    var out: [UInt8] = []
    var i = digits.startIndex
    while i < digits.endIndex {
        let j = digits.index(i, offsetBy: 2)
        out.append(UInt8(digits[i..<j], radix: 16)!)
        i = j
    }
    return out
}

let rtpMs: UInt64 = 1_000_000

/// A fake VP8 frame of `size` bytes: byte 0 carries the keyframe bit (0 = key), the rest a counter pattern.
func fakeVP8Frame(size: Int, keyframe: Bool, seed: UInt8) -> [UInt8] {
    var f = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(seed)) }
    f[0] = keyframe ? (f[0] & 0xFE) : (f[0] | 0x01)
    return f
}

/// RTP packets of one VP8 frame as a sender would make them.
func vp8Packets(_ packetizer: inout VP8Packetizer, frame: [UInt8], keyframe: Bool, firstSeq: UInt16,
                timestamp: UInt32, ssrc: UInt32 = 0x1234_5678) -> [RtpPacket] {
    let payloads = packetizer.packetize(frame: frame, isKeyframe: keyframe)
    return payloads.enumerated().map { i, p in
        RtpPacket(payloadType: 96, sequenceNumber: firstSeq &+ UInt16(i), timestamp: timestamp, ssrc: ssrc,
                  marker: i == payloads.count - 1, payload: p)
    }
}
