/// One outbound RTP stream, like getStats' outbound-rtp.
public struct OutboundStreamStats: Sendable, Codable, Equatable {
    /// The m-line's mid.
    public var mid: String
    /// "audio" or "video".
    public var kind: String
    /// Our SSRC of the stream.
    public var ssrc: UInt32
    /// RTP packets sent (first transmissions).
    public var packetsSent = 0
    /// SRTP bytes of those packets.
    public var bytesSent = 0
    /// Packets resent for NACKs (plain or RTX).
    public var retransmittedPackets = 0
    /// Frames the source delivered (including those overwritten in the mailbox).
    public var framesCaptured = 0
    /// Frames the encoder produced and we sent.
    public var framesEncoded = 0
    /// Captured frames never encoded (mailbox overwritten, encoder rate control, muted).
    public var framesDropped = 0
    /// Keyframes among them (first frame, PLI/FIR, unmute).
    public var keyframesEncoded = 0
    /// Frames per second over the last second.
    public var framesPerSecond = 0.0
    /// Bits per second over the last second (SRTP bytes).
    public var bitrate = 0.0
    /// Target bitrate given to the encoder (loss-based rule capped by the peer's REMB or our transport-cc estimate).
    public var targetBitrate = 0
    /// Video packets the pacer dropped because its queue was full.
    public var pacerDropped = 0
    /// Audio: the loss (percent) Opus sizes its in-band FEC for, from the peer's reports; nil before the first.
    public var expectedPacketLossPercent: Int?
    /// Generic NACK packets received.
    public var nackReceived = 0
    /// PLIs received (granted or rate-limited).
    public var pliReceived = 0
    /// FIRs received.
    public var firReceived = 0
    /// Last REMB estimate from the peer, bit/s.
    public var rembBitrate: Int?
    /// Loss the peer reported in its last report block (0...1).
    public var remoteFractionLost = 0.0
    /// RTT from the peer's report blocks.
    public var roundTripTimeMs: Double?
    /// Current picture size (video).
    public var width = 0
    public var height = 0
    /// The track is muted (video: nothing sent; audio: silence sent).
    public var muted = false

    public init(mid: String, kind: String, ssrc: UInt32) { self.mid = mid; self.kind = kind; self.ssrc = ssrc }
}

/// One inbound RTP stream, like getStats' inbound-rtp.
public struct InboundStreamStats: Sendable, Codable, Equatable {
    /// The m-line's mid.
    public var mid: String
    /// "audio" or "video".
    public var kind: String
    /// The peer's SSRC, once a packet arrived.
    public var ssrc: UInt32?
    /// RTP packets received (RTX-repaired included).
    public var packetsReceived = 0
    /// SRTP bytes received.
    public var bytesReceived = 0
    /// Cumulative lost (RFC 3550: expected − received).
    public var packetsLost = 0
    /// Interarrival jitter.
    public var jitterMs = 0.0
    /// Video: how long decoded frames are held back to cover late ones (`VideoPlayoutTiming`).
    public var playoutDelayMs = 0.0
    /// Repaired packets received over RTX.
    public var retransmittedPacketsReceived = 0
    /// Complete frames handed to the decode thread.
    public var framesAssembled = 0
    /// Frames decoded and given to the sinks.
    public var framesDecoded = 0
    /// Frames lost before decode (assembler gave up, decode queue overflow, undecodable).
    public var framesDropped = 0
    /// Keyframes among them.
    public var keyframesDecoded = 0
    /// Frames per second over the last second.
    public var framesPerSecond = 0.0
    /// Bits per second over the last second (SRTP bytes).
    public var bitrate = 0.0
    /// Gaps between rendered frames longer than max(3 × mean interval, mean + 150 ms) (getStats' rule).
    public var freezeCount = 0
    public var totalFreezesDurationMs = 0.0
    /// Gaps between rendered frames of at least `FrameGap.longMs` (500 ms), counted and summed, and the
    /// newest `FrameGap.kept` of them with their wall-clock end (when video came back).
    public var longFreezeCount = 0
    public var longFreezesDurationMs = 0.0
    public var longFreezes: [FrameGap] = []
    /// Generic NACK packets we sent.
    public var nackSent = 0
    /// PLIs we sent.
    public var pliSent = 0
    /// Audio: 20 ms slots played from packets, from FEC, concealed (Opus PLC, or nothing to play once audio
    /// has started: getStats' concealedSamples counts both).
    public var audioFramesPlayed = 0
    public var audioFramesFromFec = 0
    public var audioFramesConcealed = 0
    /// Current picture size (video).
    public var width = 0
    public var height = 0

    public init(mid: String, kind: String) { self.mid = mid; self.kind = kind }
}

/// A getStats-like snapshot of one call's media.
public struct MediaSessionStats: Sendable, Codable, Equatable {
    /// Our streams.
    public var outbound: [OutboundStreamStats] = []
    /// The peer's streams.
    public var inbound: [InboundStreamStats] = []
    /// Smoothed RTT from SR/RR (LSR/DLSR), if known.
    public var roundTripTimeMs: Double?
    /// RTP packets not sent because the test drop hook discarded them.
    public var packetsDroppedByHook = 0
    /// transport-cc feedback packets we sent about the peer's media (0 when not negotiated).
    public var transportFeedbackSent = 0
    /// transport-cc feedback packets the peer sent about ours.
    public var transportFeedbackReceived = 0
    /// Our delay-based estimate of the whole transport (getStats' availableOutgoingBitrate), with transport-cc.
    public var availableOutgoingBitrate: Int?
    public init() {}

    /// The first outbound stream of `kind` ("audio"/"video").
    public func outbound(_ kind: String) -> OutboundStreamStats? { outbound.first { $0.kind == kind } }
    /// The first inbound stream of `kind` ("audio"/"video").
    public func inbound(_ kind: String) -> InboundStreamStats? { inbound.first { $0.kind == kind } }
}

/// A gap in the rendered video, ending at `endUnixMs` (wall clock, comparable across processes).
public struct FrameGap: Sendable, Codable, Equatable {
    public var endUnixMs: Int64
    public var durationMs: Double
    /// A freeze as the network scenarios count it (the "freezes > 500 ms").
    public static let longMs = 500.0
    /// Long freezes remembered per stream (older ones are counted but not listed).
    public static let kept = 100

    public init(endUnixMs: Int64, durationMs: Double) { self.endUnixMs = endUnixMs; self.durationMs = durationMs }
}
