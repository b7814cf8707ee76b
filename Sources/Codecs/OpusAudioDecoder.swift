import COpus
import CShims
import Media

/// A libopus decoder producing 20 ms frames at 48 kHz: decodes packets, conceals a lost
/// packet (PLC) and rebuilds a lost packet from the in-band FEC of the one after it.
public final class OpusAudioDecoder {
    /// Output channels (Opus decodes a mono stream to stereo and back as asked).
    public let channels: Int
    private let decoder: OpaquePointer
    private var pcm: [Int16]

    /// A 48 kHz decoder giving `channels` output channels (1 or 2).
    public init(channels: Int = 1) throws(OpusCodecError) {
        guard channels == 1 || channels == 2 else { throw .unsupportedChannels(channels) }
        var err: Int32 = 0
        guard let dec = opus_decoder_create(Int32(AudioFrame.sampleRate), Int32(channels), &err),
              err == OPUS_OK else {
            throw .initFailed("decoder", OpusAudioEncoder.text(err))
        }
        decoder = dec
        self.channels = channels
        pcm = [Int16](repeating: 0, count: AudioFrame.samplesPerChannel * channels)
    }

    deinit { opus_decoder_destroy(decoder) }

    /// Decodes one 20 ms Opus packet.
    public func decode(_ packet: [UInt8], timestampNs: UInt64 = 0) throws(OpusCodecError) -> AudioFrame {
        guard !packet.isEmpty else { throw .emptyPacket }
        let samples = packet.withUnsafeBufferPointer {
            opus_packet_get_nb_samples($0.baseAddress!, Int32($0.count), Int32(AudioFrame.sampleRate))
        }
        guard samples > 0 else { throw .invalidPacket(OpusAudioEncoder.text(samples)) }
        guard samples == AudioFrame.samplesPerChannel else { throw .unsupportedDuration(samples: Int(samples)) }
        let n = run(packet, fec: false)
        guard n == AudioFrame.samplesPerChannel else { throw .invalidPacket(OpusAudioEncoder.text(n)) }
        return AudioFrame(channels: channels, samples: pcm, timestampNs: timestampNs)
    }

    /// 20 ms that plausibly continue the audio when a packet is lost and no later one is at hand.
    public func concealLoss(timestampNs: UInt64 = 0) -> AudioFrame {
        let n = run(nil, fec: false)
        guard n == AudioFrame.samplesPerChannel else { return .silence(channels: channels, timestampNs: timestampNs) }
        return AudioFrame(channels: channels, samples: pcm, timestampNs: timestampNs)
    }

    /// Rebuilds the lost packet before `next` from the FEC copy inside it (libopus falls back to
    /// concealment when `next` carries none). Decode `next` itself afterwards with `decode`.
    public func recover(fromNext next: [UInt8], timestampNs: UInt64 = 0) -> AudioFrame {
        let valid = !next.isEmpty && next.withUnsafeBufferPointer {
            opus_packet_get_nb_samples($0.baseAddress!, Int32($0.count), Int32(AudioFrame.sampleRate)) > 0
        }
        guard valid else { return concealLoss(timestampNs: timestampNs) }
        let n = run(next, fec: true)
        guard n == AudioFrame.samplesPerChannel else { return concealLoss(timestampNs: timestampNs) }
        return AudioFrame(channels: channels, samples: pcm, timestampNs: timestampNs)
    }

    /// opus_decode into `pcm` for exactly 20 ms; returns samples per channel or a negative error.
    private func run(_ packet: [UInt8]?, fec: Bool) -> Int32 {
        let decoder = self.decoder
        return pcm.withUnsafeMutableBufferPointer { out in
            if let packet {
                return packet.withUnsafeBufferPointer {
                    opus_decode(decoder, $0.baseAddress, Int32($0.count), out.baseAddress!,
                                Int32(AudioFrame.samplesPerChannel), fec ? 1 : 0)
                }
            }
            return opus_decode(decoder, nil, 0, out.baseAddress!, Int32(AudioFrame.samplesPerChannel), 0)
        }
    }
}
