/// What the features of one RTP stream share: its SSRCs and what the stream knows of the path.
package struct StreamContext: Sendable {
    /// The SSRC our RTCP about this stream is sent from.
    package var feedbackSsrc: UInt32
    /// The stream's media SSRC: ours when sending, the peer's (once known) when receiving.
    package var mediaSsrc: UInt32?
    /// Smoothed round-trip time, once a report block measured it.
    package var rttNs: UInt64?
    /// Receiving: the depacketizer or decoder lost its reference; features may add to it (NACK overflow).
    package var needsKeyframe = false
    /// Receiving: the oldest sequence number the depacketizer still waits for.
    package var firstWantedSequenceNumber: UInt16?
    /// Receiving: the packet in hand arrived as an RTX retransmission.
    package var isRetransmission = false
    /// Receiving: bytes of the packet in hand as it arrived (RTP header included), and when it arrived.
    package var packetBytes = 0
    package var packetArrivalNs: UInt64 = 0

    package init(feedbackSsrc: UInt32, mediaSsrc: UInt32?) {
        self.feedbackSsrc = feedbackSsrc
        self.mediaSsrc = mediaSsrc
    }
}

/// What a feature asks its stream to do.
package enum FeedbackAction: Sendable, Equatable {
    /// Send this RTCP packet (reduced-size, or with the next report).
    case sendRtcp(RtcpPacket)
    /// Send these already-protected bytes again (a NACKed packet without RTX).
    case resendProtected([UInt8])
    /// Protect and send this packet (an RTX retransmission).
    case sendRtp(RtpPacket)
    /// Sending: make the next frame a keyframe.
    case forceKeyframe
    /// Sending: change the encoder's target bitrate.
    case setTargetBitrate(Int)
    /// Sending audio: the loss (percent) the encoder sizes its in-band FEC for.
    case setExpectedPacketLoss(Int)
}

/// One feedback behaviour of an RTP stream, in the manner of pion's interceptors but sans-I/O: the stream
/// hands every packet, frame and RTCP message about it to its features in order, polls them on the feedback
/// timer and carries out the actions they return. NACK, PLI/FIR, REMB, RTX and rate control are one feature
/// each, so a new one (transport-cc) is a new type, not an edit of the senders and receivers.
/// Features run on the network thread and own their state; every hook has a do-nothing default.
package protocol StreamFeature {
    /// A packet arriving for the stream, before anything else sees it: returns it (possibly rewritten, as RTX
    /// is) to pass it on, nil to consume it.
    mutating func unwrap(_ packet: RtpPacket, _ stream: inout StreamContext) -> RtpPacket?
    /// A packet of the stream the receiver accepted.
    mutating func received(_ packet: RtpPacket, _ stream: inout StreamContext, nowNs: UInt64)
    /// A packet of the stream went out, protected as `protected`.
    mutating func sent(_ packet: RtpPacket, protected: [UInt8], _ stream: inout StreamContext, nowNs: UInt64)
    /// A whole frame went out (sending) or was assembled (receiving).
    mutating func frame(isKeyframe: Bool, _ stream: inout StreamContext, nowNs: UInt64)
    /// The peer's media SSRC changed: per-stream history no longer applies.
    mutating func restart()
    /// An RTCP packet arrived (the feature picks what concerns its stream).
    mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction]
    /// The feedback timer fired.
    mutating func poll(_ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction]
    /// Sending: the transport's delay-based estimate gives this stream `bitsPerSecond`.
    mutating func bandwidthEstimate(_ bitsPerSecond: Int, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction]
}

extension StreamFeature {
    package mutating func unwrap(_ packet: RtpPacket, _ stream: inout StreamContext) -> RtpPacket? { packet }
    package mutating func received(_ packet: RtpPacket, _ stream: inout StreamContext, nowNs: UInt64) {}
    package mutating func sent(_ packet: RtpPacket, protected: [UInt8], _ stream: inout StreamContext, nowNs: UInt64) {}
    package mutating func frame(isKeyframe: Bool, _ stream: inout StreamContext, nowNs: UInt64) {}
    package mutating func restart() {}
    package mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] { [] }
    package mutating func poll(_ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] { [] }
    package mutating func bandwidthEstimate(_ bitsPerSecond: Int, _ stream: inout StreamContext,
                                            nowNs: UInt64) -> [FeedbackAction] { [] }
}

/// A stream's features in order, with the loops every stream runs over them.
package struct FeatureChain: Sendable {
    package private(set) var features: [any StreamFeature & Sendable]

    package init(_ features: [any StreamFeature & Sendable]) { self.features = features }

    package mutating func unwrap(_ packet: RtpPacket, _ stream: inout StreamContext) -> RtpPacket? {
        var p = packet
        for i in features.indices {
            guard let next = features[i].unwrap(p, &stream) else { return nil }
            p = next
        }
        return p
    }

    package mutating func received(_ packet: RtpPacket, _ stream: inout StreamContext, nowNs: UInt64) {
        for i in features.indices { features[i].received(packet, &stream, nowNs: nowNs) }
    }

    package mutating func sent(_ packet: RtpPacket, protected: [UInt8], _ stream: inout StreamContext, nowNs: UInt64) {
        for i in features.indices { features[i].sent(packet, protected: protected, &stream, nowNs: nowNs) }
    }

    package mutating func frame(isKeyframe: Bool, _ stream: inout StreamContext, nowNs: UInt64) {
        for i in features.indices { features[i].frame(isKeyframe: isKeyframe, &stream, nowNs: nowNs) }
    }

    package mutating func restart() {
        for i in features.indices { features[i].restart() }
    }

    package mutating func rtcp(_ packet: RtcpPacket, _ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        var out: [FeedbackAction] = []
        for i in features.indices { out += features[i].rtcp(packet, &stream, nowNs: nowNs) }
        return out
    }

    package mutating func poll(_ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        var out: [FeedbackAction] = []
        for i in features.indices { out += features[i].poll(&stream, nowNs: nowNs) }
        return out
    }

    package mutating func bandwidthEstimate(_ bitsPerSecond: Int, _ stream: inout StreamContext,
                                            nowNs: UInt64) -> [FeedbackAction] {
        var out: [FeedbackAction] = []
        for i in features.indices { out += features[i].bandwidthEstimate(bitsPerSecond, &stream, nowNs: nowNs) }
        return out
    }
}
