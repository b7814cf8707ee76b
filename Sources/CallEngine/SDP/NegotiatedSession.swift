/// The codec both sides agreed on for one media section.
public struct NegotiatedCodec: Sendable, Equatable {
    /// Payload type from the offer (the same number both ways).
    public var payloadType: UInt8
    /// Encoding name as in the offer.
    public var name: String
    /// RTP clock rate in Hz.
    public var clockRate: UInt32
    /// Channel count as signalled (Opus: 2); 1 for video.
    public var channels: UInt16
    /// The remote side's fmtp for this payload type (how it wants to receive), if any.
    public var remoteParameters: String?
    /// RTX payload type repairing `payloadType`, when negotiated.
    public var rtxPayloadType: UInt8?
    /// RTCP feedback both sides agreed on.
    public var feedback: Set<RtcpFeedback.Kind>

    public init(payloadType: UInt8, name: String, clockRate: UInt32, channels: UInt16, remoteParameters: String?,
                rtxPayloadType: UInt8?, feedback: Set<RtcpFeedback.Kind>) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.remoteParameters = remoteParameters
        self.rtxPayloadType = rtxPayloadType
        self.feedback = feedback
    }

    /// Whether the feedback of this kind was agreed (e.g. `RtcpFeedback.pli`).
    public func supports(_ kind: RtcpFeedback.Kind) -> Bool { feedback.contains(kind) }
}

/// One media section after negotiation, from our point of view.
public struct NegotiatedMedia: Sendable, Equatable {
    /// "" only for a rejected section that had no mid.
    public var mid: String
    /// audio or video (anything else is rejected).
    public var kind: MediaKind
    /// The m= protocol, kept to rewrite the section in later offers.
    public var proto: String
    /// What we do on this section: sendonly = we send, the peer does not.
    public var direction: MediaDirection
    /// nil when the section is rejected (port 0).
    public var codec: NegotiatedCodec?
    /// Header extensions agreed, with the peer's ids.
    public var extensions: [HeaderExtensionMap]
    /// The peer's primary SSRC, when it announced one.
    public var remoteSsrc: UInt32?
    /// The peer's RTX SSRC (FID group), when announced.
    public var remoteRtxSsrc: UInt32?
    /// The peer's RTCP CNAME (lip-sync group).
    public var remoteCname: String?
    /// The peer's msid for this section.
    public var remoteMsid: Msid?
    /// Our track's SSRC when our track is attached to this section (even while the direction does not send).
    public var localSsrc: UInt32?
    /// Our RTX SSRC, set only when RTX was negotiated.
    public var localRtxSsrc: UInt32?

    public init(mid: String, kind: MediaKind, proto: String = MediaDescription.webRTCProtocol,
                direction: MediaDirection, codec: NegotiatedCodec?, extensions: [HeaderExtensionMap] = [],
                remoteSsrc: UInt32? = nil, remoteRtxSsrc: UInt32? = nil, remoteCname: String? = nil,
                remoteMsid: Msid? = nil, localSsrc: UInt32? = nil, localRtxSsrc: UInt32? = nil) {
        self.mid = mid
        self.kind = kind
        self.proto = proto
        self.direction = direction
        self.codec = codec
        self.extensions = extensions
        self.remoteSsrc = remoteSsrc
        self.remoteRtxSsrc = remoteRtxSsrc
        self.remoteCname = remoteCname
        self.remoteMsid = remoteMsid
        self.localSsrc = localSsrc
        self.localRtxSsrc = localRtxSsrc
    }

    /// True for port-0 sections (no codec).
    public var isRejected: Bool { codec == nil }
    /// True when we send RTP on this section.
    public var sends: Bool { !isRejected && direction.sends }
    /// True when we expect RTP from the peer on this section.
    public var receives: Bool { !isRejected && direction.receives }
    /// Id of the sdes:mid header extension (needed to demux BUNDLE by mid), if agreed.
    public var midExtensionId: UInt8? { extensionId(uri: HeaderExtensionMap.sdesMid) }
    /// Id of abs-send-time (REMB estimator input), if agreed.
    public var absSendTimeExtensionId: UInt8? { extensionId(uri: HeaderExtensionMap.absSendTime) }
    /// Id agreed for `uri`, if any.
    public func extensionId(uri: String) -> UInt8? { extensions.first { $0.uri == uri }?.id }
}

/// The single BUNDLE transport: ICE credentials on both sides, DTLS fingerprints and our role.
public struct NegotiatedTransport: Sendable, Equatable {
    /// Our ICE username fragment.
    public var localIceUfrag: String
    /// Our ICE password.
    public var localIcePwd: String
    /// Our certificate's fingerprint as announced.
    public var localFingerprint: DtlsFingerprint
    /// The peer's ICE username fragment (changes only on an ICE restart).
    public var remoteIceUfrag: String
    /// The peer's ICE password.
    public var remoteIcePwd: String
    /// All fingerprints the peer listed; its certificate must match one of them.
    public var remoteFingerprints: [DtlsFingerprint]
    /// The peer is ICE-lite (we must be controlling).
    public var remoteIceLite: Bool
    /// Client = we send the DTLS ClientHello (setup:active).
    public var localRole: DtlsRole
    /// Candidates found in the SDP (on the BUNDLE-tag section); trickled ones come separately.
    public var remoteCandidates: [IceCandidate]
    /// The peer's SDP said end-of-candidates.
    public var remoteEndOfCandidates: Bool

    public init(localIceUfrag: String, localIcePwd: String, localFingerprint: DtlsFingerprint, remoteIceUfrag: String,
                remoteIcePwd: String, remoteFingerprints: [DtlsFingerprint], remoteIceLite: Bool = false,
                localRole: DtlsRole, remoteCandidates: [IceCandidate] = [], remoteEndOfCandidates: Bool = false) {
        self.localIceUfrag = localIceUfrag
        self.localIcePwd = localIcePwd
        self.localFingerprint = localFingerprint
        self.remoteIceUfrag = remoteIceUfrag
        self.remoteIcePwd = remoteIcePwd
        self.remoteFingerprints = remoteFingerprints
        self.remoteIceLite = remoteIceLite
        self.localRole = localRole
        self.remoteCandidates = remoteCandidates
        self.remoteEndOfCandidates = remoteEndOfCandidates
    }

    /// The fingerprint to check first: sha-256 if listed, else the first.
    public var remoteFingerprint: DtlsFingerprint? {
        remoteFingerprints.first { $0.algorithm == "sha-256" } ?? remoteFingerprints.first
    }
}

/// Result of an offer/answer exchange; pass it as `previous` to the next one (renegotiation).
public struct NegotiatedSession: Sendable, Equatable {
    /// Every media section in m-line order, rejected ones included.
    public var media: [NegotiatedMedia]
    /// The single BUNDLE transport.
    public var transport: NegotiatedTransport
    /// Mids in the BUNDLE group, first is the tag.
    public var bundleMids: [String]
    /// Our `o=` line as last sent (its version grows with each description we write).
    public var localOrigin: SDPOrigin
    /// The peer's `o=` line as last received.
    public var remoteOrigin: SDPOrigin

    public init(media: [NegotiatedMedia], transport: NegotiatedTransport, bundleMids: [String],
                localOrigin: SDPOrigin, remoteOrigin: SDPOrigin) {
        self.media = media
        self.transport = transport
        self.bundleMids = bundleMids
        self.localOrigin = localOrigin
        self.remoteOrigin = remoteOrigin
    }

    /// Sections that are not rejected.
    public var activeMedia: [NegotiatedMedia] { media.filter { !$0.isRejected } }
    /// The section with this mid.
    public func media(mid: String) -> NegotiatedMedia? { media.first { $0.mid == mid } }
    /// The active section of `kind` carrying our track, if any.
    public func sendingMedia(kind: MediaKind) -> NegotiatedMedia? {
        media.first { $0.kind == kind && $0.sends && $0.localSsrc != nil }
    }
    /// Active sections of `kind` on which we receive.
    public func receivingMedia(kind: MediaKind) -> [NegotiatedMedia] {
        media.filter { $0.kind == kind && $0.receives }
    }
}
