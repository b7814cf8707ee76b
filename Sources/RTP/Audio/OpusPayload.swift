/// Opus over RTP (RFC 7587): one Opus packet per RTP payload, timestamps on a 48 kHz clock whatever
/// the actual sample rate, the marker bit unused (except after DTX silence).
package enum OpusPayload {
    /// RTP clock rate of Opus, always 48 kHz.
    package static let clockRate = 48_000
    /// Default packet duration in milliseconds (tuicall's encoder and Chromium's default ptime).
    package static let defaultFrameMs = 20
    /// Timestamp step of a 20 ms packet.
    package static let samplesPer20ms: UInt32 = 960

    /// RTP timestamp step for a packet of `ms` milliseconds.
    package static func timestampIncrement(frameMs ms: Int = defaultFrameMs) -> UInt32 {
        UInt32(clockRate / 1000 * ms)
    }

    /// The RTP payload of an encoded Opus packet: the packet itself.
    package static func payload(for opusPacket: [UInt8]) -> [UInt8] { opusPacket }

    /// Samples at 48 kHz in an Opus packet from its TOC byte and frame count (RFC 6716 §3.1); nil when malformed.
    package static func samples(in packet: [UInt8]) -> Int? {
        guard let toc = packet.first else { return nil }
        let config = Int(toc >> 3)
        // Frame sizes in 48 kHz samples: SILK 10/20/40/60 ms, hybrid 10/20 ms, CELT 2.5/5/10/20 ms.
        let frame: Int
        switch config {
        case 0...11: frame = [480, 960, 1920, 2880][config % 4]
        case 12...15: frame = [480, 960][config % 2]
        default: frame = [120, 240, 480, 960][config % 4]
        }
        let frames: Int
        switch toc & 0x03 {
        case 0: frames = 1
        case 1, 2: frames = 2
        default:
            guard packet.count >= 2 else { return nil }
            frames = Int(packet[1] & 0x3F)
        }
        let total = frame * frames
        // RFC 6716 caps a packet at 120 ms.
        return frames > 0 && total <= 5760 ? total : nil
    }
}
