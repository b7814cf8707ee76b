/// The codec both sides agreed on for one media section.
package struct NegotiatedCodec: Sendable, Equatable {
    /// Payload type from the offer (the same number both ways).
    package var payloadType: UInt8
    /// Encoding name as in the offer.
    package var name: String
    /// RTP clock rate in Hz.
    package var clockRate: UInt32
    /// Channel count as signalled (Opus: 2); 1 for video.
    package var channels: UInt16
    /// The remote side's fmtp for this payload type (how it wants to receive), if any.
    package var remoteParameters: String?
    /// RTX payload type repairing `payloadType`, when negotiated.
    package var rtxPayloadType: UInt8?
    /// RTCP feedback both sides agreed on.
    package var feedback: Set<RtcpFeedback.Kind>

    package init(payloadType: UInt8, name: String, clockRate: UInt32, channels: UInt16, remoteParameters: String?,
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
    package func supports(_ kind: RtcpFeedback.Kind) -> Bool { feedback.contains(kind) }
}

/// One media section after negotiation, from our point of view.
package struct NegotiatedMedia: Sendable, Equatable {
    /// "" only for a rejected section that had no mid.
    package var mid: String
    /// audio or video (anything else is rejected).
    package var kind: MediaKind
    /// The m= protocol, kept to rewrite the section in later offers.
    package var proto: String
    /// What we do on this section: sendonly = we send, the peer does not.
    package var direction: MediaDirection
    /// nil when the section is rejected (port 0).
    package var codec: NegotiatedCodec?
    /// Header extensions agreed, with the peer's ids.
    package var extensions: [HeaderExtensionMap]
    /// The peer's primary SSRC, when it announced one.
    package var remoteSsrc: UInt32?
    /// The peer's RTX SSRC (FID group), when announced.
    package var remoteRtxSsrc: UInt32?
    /// The peer's RTCP CNAME (lip-sync group).
    package var remoteCname: String?
    /// The peer's msid for this section.
    package var remoteMsid: Msid?
    /// Our track's SSRC when our track is attached to this section (even while the direction does not send).
    package var localSsrc: UInt32?
    /// Our RTX SSRC, set only when RTX was negotiated.
    package var localRtxSsrc: UInt32?

    package init(mid: String, kind: MediaKind, proto: String = MediaDescription.webRTCProtocol,
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
    package var isRejected: Bool { codec == nil }
    /// True when we send RTP on this section.
    package var sends: Bool { !isRejected && direction.sends }
    /// True when we expect RTP from the peer on this section.
    package var receives: Bool { !isRejected && direction.receives }
    /// Id of the sdes:mid header extension (needed to demux BUNDLE by mid), if agreed.
    package var midExtensionId: UInt8? { extensionId(uri: HeaderExtensionMap.sdesMid) }
    /// Id of abs-send-time (REMB estimator input), if agreed.
    package var absSendTimeExtensionId: UInt8? { extensionId(uri: HeaderExtensionMap.absSendTime) }
    /// Id of the transport-wide sequence number (transport-cc feedback input), if agreed.
    package var transportCcExtensionId: UInt8? { extensionId(uri: HeaderExtensionMap.transportWideCC) }
    /// Id agreed for `uri`, if any.
    package func extensionId(uri: String) -> UInt8? { extensions.first { $0.uri == uri }?.id }
}

/// The single BUNDLE transport: ICE credentials on both sides, DTLS fingerprints and our role.
package struct NegotiatedTransport: Sendable, Equatable {
    /// Our ICE username fragment.
    package var localIceUfrag: String
    /// Our ICE password.
    package var localIcePwd: String
    /// Our certificate's fingerprint as announced.
    package var localFingerprint: DtlsFingerprint
    /// The peer's ICE username fragment (changes only on an ICE restart).
    package var remoteIceUfrag: String
    /// The peer's ICE password.
    package var remoteIcePwd: String
    /// All fingerprints the peer listed; its certificate must match one of them.
    package var remoteFingerprints: [DtlsFingerprint]
    /// The peer is ICE-lite (we must be controlling).
    package var remoteIceLite: Bool
    /// Client = we send the DTLS ClientHello (setup:active).
    package var localRole: DtlsRole
    /// Candidates found in the SDP (on the BUNDLE-tag section); trickled ones come separately.
    package var remoteCandidates: [IceCandidate]
    /// The peer's SDP said end-of-candidates.
    package var remoteEndOfCandidates: Bool

    package init(localIceUfrag: String, localIcePwd: String, localFingerprint: DtlsFingerprint, remoteIceUfrag: String,
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
    package var remoteFingerprint: DtlsFingerprint? {
        remoteFingerprints.first { $0.algorithm == "sha-256" } ?? remoteFingerprints.first
    }
}

/// Result of an offer/answer exchange; pass it as `previous` to the next one (renegotiation).
package struct NegotiatedSession: Sendable, Equatable {
    /// Every media section in m-line order, rejected ones included.
    package var media: [NegotiatedMedia]
    /// The single BUNDLE transport.
    package var transport: NegotiatedTransport
    /// Mids in the BUNDLE group, first is the tag.
    package var bundleMids: [String]
    /// Our `o=` line as last sent (its version grows with each description we write).
    package var localOrigin: SDPOrigin
    /// The peer's `o=` line as last received.
    package var remoteOrigin: SDPOrigin

    package init(media: [NegotiatedMedia], transport: NegotiatedTransport, bundleMids: [String],
                localOrigin: SDPOrigin, remoteOrigin: SDPOrigin) {
        self.media = media
        self.transport = transport
        self.bundleMids = bundleMids
        self.localOrigin = localOrigin
        self.remoteOrigin = remoteOrigin
    }

    /// Sections that are not rejected.
    package var activeMedia: [NegotiatedMedia] { media.filter { !$0.isRejected } }
    /// The section with this mid.
    package func media(mid: String) -> NegotiatedMedia? { media.first { $0.mid == mid } }
    /// The active section of `kind` carrying our track, if any.
    package func sendingMedia(kind: MediaKind) -> NegotiatedMedia? {
        media.first { $0.kind == kind && $0.sends && $0.localSsrc != nil }
    }
    /// Active sections of `kind` on which we receive.
    package func receivingMedia(kind: MediaKind) -> [NegotiatedMedia] {
        media.filter { $0.kind == kind && $0.receives }
    }
}
