import Codecs
import Media
import RTP

/// Where the marker bit goes (RFC 3551): on a video frame's last packet, on an audio talkspurt's first.
enum RtpMarker: Sendable { case lastPacketOfFrame, firstPacketOfStream }

/// One encoded frame, packetized: what the network thread turns into RTP packets.
struct EncodedMedia: Sendable {
    var payloads: [[UInt8]]
    var rtpTimestamp: UInt32
    var isKeyframe: Bool
}

/// What encoding one captured frame did, for the sender's statistics.
struct EncodeOutcome: Sendable {
    var media: EncodedMedia?
    var captured = 0
    var dropped = 0
    var encoded = 0
    var width: Int?
    var height: Int?
}

/// What other threads may ask of a sender's encoder; thread-safe.
protocol EncoderControls: Sendable {
    func requestKeyframe()
    func setTargetBitrate(_ bitsPerSecond: Int)
    func setExpectedPacketLoss(percent: Int)
}

extension VideoEncoderRequests: EncoderControls {
    func setExpectedPacketLoss(percent: Int) {}
}

extension AudioEncoderRequests: EncoderControls {
    func requestKeyframe() {}
}

/// The media-specific half of an `RtpSender`: encoding and packetizing. Not Sendable: it is made on the
/// caller's thread, then handed over to the sender's encode thread, which alone uses it.
protocol SenderCodec: AnyObject, SendableMetatype {
    associatedtype Frame: Sendable
    /// "audio" or "video", as getStats names it.
    static var kind: String { get }
    /// Captured frames waiting for the encoder; the oldest go when it falls behind.
    static var queueCapacity: Int { get }
    static var marker: RtpMarker { get }
    /// Whether the outbound statistics carry a frame rate (video).
    static var countsFrameRate: Bool { get }
    var clockRate: Int { get }
    /// Keyframe and bitrate requests from other threads; nil for a codec that takes none.
    var controls: (any EncoderControls)? { get }
    /// Encode thread: one captured frame (`skipped` frames were overwritten before it), muted or not.
    func encode(_ frame: Frame, muted: Bool, skipped: Int) -> EncodeOutcome
}

/// VP8 (RFC 7741) over a latest-frame mailbox: a muted camera sends nothing, unmuting starts with a keyframe; a
/// low target lowers the resolution and frame rate (`VideoDegradation`).
final class VP8SenderCodec: SenderCodec {
    typealias Frame = VideoFrame
    static let kind = "video"
    static let queueCapacity = 1
    static let marker = RtpMarker.lastPacketOfFrame
    static let countsFrameRate = true
    let clockRate = 90_000
    private let encoder: VP8Encoder
    private var packetizer = VP8Packetizer()
    private var degradation = VideoDegradation()
    private var frameIndex = 0
    private let timestampBase = UInt32.random(in: 0...UInt32.max)
    var controls: (any EncoderControls)? { encoder.requests }

    init(settings: VP8EncoderSettings, startBitrate: Int) {
        var s = settings
        s.bitrate = startBitrate
        encoder = VP8Encoder(settings: s)
    }

    func encode(_ frame: VideoFrame, muted: Bool, skipped: Int) -> EncodeOutcome {
        var out = EncodeOutcome(captured: 1 + skipped, dropped: skipped + (muted ? 1 : 0))
        if muted { return out }
        let step = degradation.update(targetBitrate: encoder.settings.bitrate, nowNs: frame.timestampNs)
        frameIndex += 1
        guard step.encodes(frame: frameIndex) else {
            out.dropped += 1
            return out
        }
        let input = frame.downscaled(by: VideoDegradation.divisor(step, width: frame.width))
        guard let encoded = (try? encoder.encode(input)) ?? nil else {
            out.dropped += 1
            return out
        }
        out.encoded = 1
        out.width = encoded.width
        out.height = encoded.height
        let timestamp = timestampBase &+ UInt32(truncatingIfNeeded: encoded.timestampNs / 100_000 * 9)
        out.media = EncodedMedia(payloads: packetizer.packetize(frame: encoded.data, isKeyframe: encoded.isKeyframe),
                                 rtpTimestamp: timestamp, isKeyframe: encoded.isKeyframe)
        return out
    }
}

/// Opus (RFC 7587), 20 ms per packet, in-band FEC sized by the reported loss; a muted microphone sends encoded
/// silence, which keeps the stream (and the peer's jitter buffer) alive.
final class OpusSenderCodec: SenderCodec {
    typealias Frame = AudioFrame
    /// 200 ms of 20 ms frames.
    static let queueCapacity = 10
    static let kind = "audio"
    static let marker = RtpMarker.firstPacketOfStream
    static let countsFrameRate = false
    let clockRate = OpusPayload.clockRate
    private let encoder: OpusAudioEncoder
    var controls: (any EncoderControls)? { encoder.requests }
    private let channels: Int
    private var timestamp = UInt32.random(in: 0...UInt32.max)

    init(channels: Int) throws {
        self.channels = channels
        encoder = try OpusAudioEncoder(settings: OpusEncoderSettings(channels: channels))
    }

    func encode(_ frame: AudioFrame, muted: Bool, skipped: Int) -> EncodeOutcome {
        let input = muted ? AudioFrame.silence(channels: channels, timestampNs: frame.timestampNs) : frame
        guard let packet = try? encoder.encode(input) else { return EncodeOutcome(dropped: 1) }
        defer { timestamp &+= OpusPayload.timestampIncrement() }
        return EncodeOutcome(media: EncodedMedia(payloads: [OpusPayload.payload(for: packet)], rtpTimestamp: timestamp,
                                                 isKeyframe: false),
                             captured: 1, encoded: 1)
    }
}

/// A capture device or file as a sender sees it: start delivering into a queue, stop.
struct CaptureInput<Frame: Sendable>: Sendable {
    let start: @Sendable (BoundedQueue<Frame>) throws -> Void
    let stop: @Sendable () -> Void

    static func video(_ source: any VideoSource) -> CaptureInput<VideoFrame> {
        CaptureInput<VideoFrame>(start: { try source.start(into: $0) }, stop: { source.stop() })
    }

    static func audio(_ source: any AudioSource) -> CaptureInput<AudioFrame> {
        CaptureInput<AudioFrame>(start: { try source.start(into: $0) }, stop: { source.stop() })
    }
}
