/// A codec we can send and receive, with the payload types we pick when we write the offer.
package struct CodecCapability: Sendable, Equatable {
    /// Encoding name as we write it ("opus", "VP8").
    package var name: String
    /// RTP clock rate in Hz.
    package var clockRate: UInt32
    /// Audio channels as written in rtpmap (Opus is always "/2" in SDP); nil for video.
    package var channels: UInt16?
    /// Payload type used in our offers; answers always use the offer's numbers.
    package var preferredPayloadType: UInt8
    /// RTX payload type used in our offers (video); nil disables RTX for this codec.
    package var preferredRtxPayloadType: UInt8?
    /// fmtp parameters we write for this codec, if any.
    package var parameters: String?
    /// RTCP feedback the RTP layer implements for this codec, in the order we write it.
    package var feedback: [RtcpFeedback.Kind]

    package init(name: String, clockRate: UInt32, channels: UInt16? = nil, preferredPayloadType: UInt8,
                preferredRtxPayloadType: UInt8? = nil, parameters: String? = nil, feedback: [RtcpFeedback.Kind] = []) {
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.preferredPayloadType = preferredPayloadType
        self.preferredRtxPayloadType = preferredRtxPayloadType
        self.parameters = parameters
        self.feedback = feedback
    }

    /// Opus 48 kHz stereo-signalled, PT 111 in our offers, Chromium's fmtp (in-band FEC, 10 ms minimum);
    /// transport-cc, as Chromium (audio counts in the transport-wide feedback).
    package static let opus = CodecCapability(name: "opus", clockRate: 48000, channels: 2, preferredPayloadType: 111,
                                             parameters: "minptime=10;useinbandfec=1",
                                             feedback: [RtcpFeedback.transportCC])

    /// This codec without transport-cc feedback (a peer of the REMB era).
    package var withoutTransportCC: CodecCapability {
        var c = self
        c.feedback.removeAll { $0 == RtcpFeedback.transportCC }
        return c
    }
    /// VP8, PT 96 (+ RTX 97) in our offers; transport-cc (our delay-based estimator runs on the peer's feedback),
    /// REMB for peers without it, FIR, NACK and PLI.
    package static let vp8 = CodecCapability(name: "VP8", clockRate: 90000, preferredPayloadType: 96,
                                            preferredRtxPayloadType: 97,
                                            feedback: [RtcpFeedback.transportCC, RtcpFeedback.remb, RtcpFeedback.fir,
                                                       RtcpFeedback.nack, RtcpFeedback.pli])

    /// Whether an rtpmap names this codec (name case-insensitive, same clock rate, same channel count).
    package func matches(_ map: RtpMap) -> Bool {
        map.encodingName.lowercased() == name.lowercased() && map.clockRate == clockRate
            && (map.channels ?? 1) == (channels ?? 1)
    }
}

/// A track we send: its SSRCs and its msid ids.
package struct LocalTrack: Sendable, Equatable {
    /// Primary SSRC of the media stream.
    package var ssrc: UInt32
    /// RTX SSRC (video), announced with `a=ssrc-group:FID` when RTX is negotiated.
    package var rtxSsrc: UInt32?
    /// msid stream id (shared by our audio and video to sync them).
    package var streamId: String
    /// msid track id.
    package var trackId: String

    package init(ssrc: UInt32, rtxSsrc: UInt32? = nil, streamId: String, trackId: String) {
        self.ssrc = ssrc
        self.rtxSsrc = rtxSsrc
        self.streamId = streamId
        self.trackId = trackId
    }
}

/// What we are and what we can do: the input of `Negotiation`.
package struct LocalCapabilities: Sendable, Equatable {
    /// Header extensions we accept by default: the mid (BUNDLE demux), the transport-wide sequence number
    /// (transport-cc) and abs-send-time (REMB, for peers without transport-cc).
    package static let defaultHeaderExtensions = [HeaderExtensionMap.sdesMid, HeaderExtensionMap.transportWideCC,
                                                  HeaderExtensionMap.absSendTime]
    /// Extension ids in our offers: Chromium's own numbers, so its re-offers keep them.
    package static let offerExtensionIds: [String: UInt8] = [
        HeaderExtensionMap.absSendTime: 2, HeaderExtensionMap.transportWideCC: 3, HeaderExtensionMap.sdesMid: 4,
    ]

    /// Our ICE username fragment (kept for the whole call unless ICE restarts).
    package var iceUfrag: String
    /// Our ICE password.
    package var icePwd: String
    /// Fingerprint of our DTLS certificate.
    package var fingerprint: DtlsFingerprint
    /// Our `o=` session id (digits); constant for the call.
    package var sessionId: String
    /// RTCP CNAME of our tracks.
    package var cname: String
    /// Microphone track, nil when we do not send audio.
    package var audio: LocalTrack?
    /// Camera track, nil when we do not send video.
    package var video: LocalTrack?
    /// Whether we want to receive audio (default true).
    package var receiveAudio: Bool
    /// Whether we want to receive video (default true).
    package var receiveVideo: Bool
    /// The one audio codec we speak (Opus).
    package var audioCodec: CodecCapability
    /// The one video codec we speak (VP8).
    package var videoCodec: CodecCapability
    /// Header extension URIs we accept.
    package var headerExtensions: [String]

    package init(iceUfrag: String, icePwd: String, fingerprint: DtlsFingerprint,
                sessionId: String = LocalCapabilities.randomSessionId(), cname: String,
                audio: LocalTrack?, video: LocalTrack?, receiveAudio: Bool = true, receiveVideo: Bool = true,
                audioCodec: CodecCapability = .opus, videoCodec: CodecCapability = .vp8,
                headerExtensions: [String] = LocalCapabilities.defaultHeaderExtensions) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprint = fingerprint
        self.sessionId = sessionId
        self.cname = cname
        self.audio = audio
        self.video = video
        self.receiveAudio = receiveAudio
        self.receiveVideo = receiveVideo
        self.audioCodec = audioCodec
        self.videoCodec = videoCodec
        self.headerExtensions = headerExtensions
    }

    /// The track we send for `kind`, if any.
    package func track(for kind: MediaKind) -> LocalTrack? {
        kind == .audio ? audio : kind == .video ? video : nil
    }

    /// The codec we support for `kind`, if any.
    package func codec(for kind: MediaKind) -> CodecCapability? {
        kind == .audio ? audioCodec : kind == .video ? videoCodec : nil
    }

    /// Whether we want to receive `kind`.
    package func receives(_ kind: MediaKind) -> Bool {
        kind == .audio ? receiveAudio : kind == .video ? receiveVideo : false
    }

    private static let iceCharacters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    /// A random ICE ufrag (RFC 8839: at least 4 ice-chars; 8 here).
    package static func randomIceUfrag() -> String {
        String((0..<8).map { _ in iceCharacters.randomElement()! })
    }

    /// A random ICE password (RFC 8839: at least 22 ice-chars; 24 here, like Chromium).
    package static func randomIcePwd() -> String {
        String((0..<24).map { _ in iceCharacters.randomElement()! })
    }

    /// A random positive 63-bit session id, as browsers use.
    package static func randomSessionId() -> String { String(UInt64.random(in: 1...UInt64(Int64.max))) }
}
