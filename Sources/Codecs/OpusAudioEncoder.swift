import COpus
import CShims
import Media

/// Settings for an Opus voice encoder; defaults follow libwebrtc's for calls.
public struct OpusEncoderSettings: Sendable, Equatable {
    /// libwebrtc's default: 32 kbit/s per channel, plenty for wideband voice with FEC.
    public static let defaultBitratePerChannel = 32_000
    /// Bitrates libopus accepts; requests outside are clamped.
    public static let bitrateRange = 6_000...510_000
    /// Expected packet loss for in-band FEC sizing until the transport reports the real figure.
    public static let defaultPacketLossPercent = 10
    /// libwebrtc's desktop choice (0 = cheapest, 10 = best; libopus's own default is 10): the same
    /// quality for speech at less CPU per call.
    public static let defaultComplexity = 9

    /// 1 (mono) or 2 (stereo).
    public var channels: Int
    /// Target bitrate in bits per second.
    public var bitrate: Int
    /// Expected packet loss 0...100, which sizes in-band FEC.
    public var packetLossPercent: Int
    /// libopus complexity 0...10.
    public var complexity: Int

    /// Settings for `channels`; the bitrate defaults to 32 kbit/s per channel.
    public init(channels: Int = 1, bitrate: Int? = nil,
                packetLossPercent: Int = defaultPacketLossPercent, complexity: Int = defaultComplexity) {
        self.channels = channels
        self.bitrate = bitrate ?? Self.defaultBitratePerChannel * channels
        self.packetLossPercent = packetLossPercent
        self.complexity = complexity
    }
}

/// A libopus encoder for calls: 48 kHz, 20 ms frames, VOIP application, in-band FEC on.
/// Owned by one thread; other threads change bitrate and expected loss through `requests`.
public final class OpusAudioEncoder {
    /// Largest packet libopus is given room for (its documented recommendation).
    public static let maxPacketBytes = 4000

    /// Thread-safe bitrate and packet-loss requests, applied at the next `encode`.
    public let requests = AudioEncoderRequests()
    /// Settings in force, including the latest applied bitrate and loss.
    public private(set) var settings: OpusEncoderSettings
    private let encoder: OpaquePointer
    private var packet = [UInt8](repeating: 0, count: maxPacketBytes)

    /// A VOIP encoder with FEC on, configured from `settings`.
    public init(settings: OpusEncoderSettings = OpusEncoderSettings()) throws(OpusCodecError) {
        guard settings.channels == 1 || settings.channels == 2 else {
            throw .unsupportedChannels(settings.channels)
        }
        var err: Int32 = 0
        guard let enc = opus_encoder_create(Int32(AudioFrame.sampleRate), Int32(settings.channels),
                                            OPUS_APPLICATION_VOIP, &err), err == OPUS_OK else {
            throw .initFailed("encoder", Self.text(err))
        }
        // Configure before storing anything, so a failure never reaches deinit.
        do {
            try Self.set(enc, OPUS_SET_INBAND_FEC_REQUEST, 1)
            try Self.set(enc, OPUS_SET_COMPLEXITY_REQUEST, settings.complexity)
        } catch {
            opus_encoder_destroy(enc)
            throw error
        }
        encoder = enc
        self.settings = settings
        try applyBitrate(settings.bitrate)
        try applyPacketLoss(settings.packetLossPercent)
    }

    deinit { opus_encoder_destroy(encoder) }

    /// Algorithmic delay in samples at 48 kHz (output lags input by this much).
    public var lookahead: Int {
        var value: Int32 = 0
        _ = shim_opus_encoder_ctl_get(encoder, OPUS_GET_LOOKAHEAD_REQUEST, &value)
        return Int(value)
    }

    /// Compresses 20 ms of audio into one Opus packet.
    public func encode(_ frame: AudioFrame) throws(OpusCodecError) -> [UInt8] {
        let request = requests.take()
        if let b = request.bitrate { try applyBitrate(b) }
        if let p = request.packetLossPercent { try applyPacketLoss(p) }
        guard frame.channels == settings.channels else {
            throw .channelMismatch(expected: settings.channels, got: frame.channels)
        }
        let encoder = self.encoder
        let n = frame.samples.withUnsafeBufferPointer { pcm in
            packet.withUnsafeMutableBufferPointer { out in
                opus_encode(encoder, pcm.baseAddress!, Int32(AudioFrame.samplesPerChannel),
                            out.baseAddress!, Int32(out.count))
            }
        }
        guard n > 0 else { throw .encodeFailed(Self.text(n)) }
        return Array(packet[0..<Int(n)])
    }

    private func applyBitrate(_ bitsPerSecond: Int) throws(OpusCodecError) {
        let r = OpusEncoderSettings.bitrateRange
        settings.bitrate = min(max(bitsPerSecond, r.lowerBound), r.upperBound)
        try set(OPUS_SET_BITRATE_REQUEST, settings.bitrate)
    }

    private func applyPacketLoss(_ percent: Int) throws(OpusCodecError) {
        settings.packetLossPercent = min(max(percent, 0), 100)
        try set(OPUS_SET_PACKET_LOSS_PERC_REQUEST, settings.packetLossPercent)
    }

    private func set(_ request: Int32, _ value: Int) throws(OpusCodecError) {
        try Self.set(encoder, request, value)
    }

    private static func set(_ encoder: OpaquePointer, _ request: Int32, _ value: Int) throws(OpusCodecError) {
        let r = shim_opus_encoder_ctl_set(encoder, request, Int32(value))
        guard r == OPUS_OK else { throw .controlFailed(request: Int(request), value: value, Self.text(r)) }
    }

    static func text(_ code: Int32) -> String { String(cString: opus_strerror(code)) }
}
