/// Pure JSEP-style offer/answer engine for one BUNDLE transport carrying Opus and VP8 (+RTX).
///
/// Payload types and extension ids always come from the offer; DTLS roles and ICE credentials stay fixed across
/// renegotiations (pass the last `NegotiatedSession` as `previous`).
package enum Negotiation {
    /// Answers a remote offer: accepts Opus/VP8 sections in the BUNDLE group, rejects the rest (port 0, kept mid,
    /// removed from BUNDLE), takes DTLS client role (setup:active) on a first offer that allows it.
    package static func answer(to offer: SessionDescription, local: LocalCapabilities,
                              previous: NegotiatedSession? = nil) throws -> (SessionDescription, NegotiatedSession) {
        try checkSections(of: offer, against: previous)
        guard let bundle = offer.bundleGroup else {
            throw NegotiationError("the offer has no a=group:BUNDLE; tuicall runs all media over one BUNDLE transport")
        }
        // Decide each section: accepted with a codec, or rejected.
        var choices: [CodecChoice?] = []
        for (index, section) in offer.media.enumerated() {
            let acceptable = !section.isRejected && section.mid.map { bundle.mids.contains($0) } == true
                && isSecureRtp(section.proto) && section.rtcpMux
            let previousCodec = previous.flatMap { index < $0.media.count ? $0.media[index].codec : nil }
            choices.append(acceptable ? chooseCodec(in: section, local: local, preferring: previousCodec) : nil)
        }
        let acceptedMids = bundle.mids.filter { mid in
            offer.media.indices.contains { offer.media[$0].mid == mid && choices[$0] != nil }
        }
        guard let tagMid = acceptedMids.first, let tag = offer.media.firstIndex(where: { $0.mid == tagMid }) else {
            throw NegotiationError("nothing in the offer can be used: tuicall needs Opus or VP8 over "
                                   + "UDP/TLS/RTP/SAVPF with rtcp-mux, in the BUNDLE group")
        }
        let role = try answererRole(offered: offer.setup(forMediaAt: tag), previous: previous?.transport.localRole)
        let transport = try remoteTransport(of: offer, at: tag, local: local, role: role, previous: previous)
        let attached = attachTracks(offer: offer, choices: choices, local: local, previous: previous)

        var origin = SDPOrigin(sessionId: local.sessionId, sessionVersion: 2)
        if let previous { origin = previous.localOrigin; origin.sessionVersion &+= 1 }
        var description = SessionDescription(origin: origin)
        var negotiated: [NegotiatedMedia] = []
        for (index, section) in offer.media.enumerated() {
            let mid = section.mid ?? ""
            guard let choice = choices[index] else {
                description.media.append(rejectedSection(kind: section.kind, proto: section.proto,
                                                         formats: section.formats, mid: section.mid))
                negotiated.append(NegotiatedMedia(mid: mid, kind: section.kind, proto: section.proto,
                                                  direction: .inactive, codec: nil))
                continue
            }
            let track = attached[index]
            let wanted = MediaDirection(send: track != nil, receive: local.receives(section.kind))
            let direction = wanted.intersection(section.effectiveDirection.reversed)
            let extensions = section.extmaps.filter { local.headerExtensions.contains($0.uri) }
                .map { HeaderExtensionMap(id: $0.id, uri: $0.uri) }
            let plan = SectionPlan(kind: section.kind, mid: mid, proto: section.proto, direction: direction,
                                   codec: choice.negotiated, capability: choice.capability, extensions: extensions,
                                   track: track, rtcpRsize: section.rtcpRsize)
            description.media.append(plan.section(local: local, setup: role.setup))
            var media = NegotiatedMedia(mid: mid, kind: section.kind, proto: section.proto, direction: direction,
                                        codec: choice.negotiated, extensions: extensions,
                                        localSsrc: track?.ssrc,
                                        localRtxSsrc: choice.negotiated.rtxPayloadType == nil ? nil : track?.rtxSsrc)
            media.setRemoteStreams(from: section)
            negotiated.append(media)
        }
        description.groups = [SDPGroup(semantics: "BUNDLE", mids: acceptedMids)]
        description.msidSemantic = MsidSemantic(streamIds: streamIds(of: attached.values))
        let session = NegotiatedSession(media: negotiated, transport: transport, bundleMids: acceptedMids,
                                        localOrigin: origin, remoteOrigin: offer.origin)
        return (description, session)
    }

    // MARK: - Shared by offer, answer and apply

    /// A codec picked from a remote section.
    struct CodecChoice {
        var negotiated: NegotiatedCodec
        var capability: CodecCapability
    }

    /// Everything needed to write one accepted section of our description.
    struct SectionPlan {
        var kind: MediaKind
        var mid: String
        var proto: String
        var direction: MediaDirection
        var codec: NegotiatedCodec
        var capability: CodecCapability
        var extensions: [HeaderExtensionMap]
        var track: LocalTrack?
        var rtcpRsize: Bool

        /// Writes the section the way Chromium does (trickle ICE: port 9, no candidates).
        func section(local: LocalCapabilities, setup: SetupAttribute) -> MediaDescription {
            let pt = codec.payloadType
            var section = MediaDescription(kind: kind, proto: proto,
                                           formats: [pt, codec.rtxPayloadType].compactMap { $0 }.map { String($0) })
            section.connection = MediaDescription.placeholderConnection
            section.rtcp = MediaDescription.placeholderRtcp
            section.iceUfrag = local.iceUfrag
            section.icePwd = local.icePwd
            section.iceOptions = ["trickle"]
            section.fingerprints = [local.fingerprint]
            section.setup = setup
            section.mid = mid
            section.extmaps = extensions
            section.direction = direction
            section.rtcpMux = true
            section.rtcpRsize = rtcpRsize
            section.rtpMaps = [RtpMap(payloadType: pt, encodingName: codec.name, clockRate: codec.clockRate,
                                      channels: kind == .audio ? codec.channels : nil)]
            section.rtcpFeedback = capability.feedback.filter { codec.feedback.contains($0) }
                .map { RtcpFeedback(payloadType: pt, kind: $0) }
            if let parameters = capability.parameters { section.fmtps.append(Fmtp(payloadType: pt, parameters: parameters)) }
            if let rtx = codec.rtxPayloadType {
                section.rtpMaps.append(RtpMap(payloadType: rtx, encodingName: "rtx", clockRate: codec.clockRate))
                section.fmtps.append(Fmtp(payloadType: rtx, parameters: "apt=\(pt)"))
            }
            if direction.sends, let track {
                let msid = Msid(streamId: track.streamId, trackId: track.trackId)
                section.msids = [msid]
                var ssrcs = [track.ssrc]
                if codec.rtxPayloadType != nil, let rtxSsrc = track.rtxSsrc {
                    ssrcs.append(rtxSsrc)
                    section.ssrcGroups = [SsrcGroup(semantics: "FID", ssrcs: ssrcs)]
                }
                for ssrc in ssrcs {
                    section.ssrcs.append(SsrcAttribute(ssrc: ssrc, name: "cname", value: local.cname))
                    section.ssrcs.append(SsrcAttribute(ssrc: ssrc, name: "msid", value: msid.value))
                }
            }
            return section
        }
    }

    /// A port-0 section keeping the mid (JSEP: rejected sections stay in place, out of BUNDLE).
    static func rejectedSection(kind: MediaKind, proto: String, formats: [String], mid: String?) -> MediaDescription {
        var section = MediaDescription(kind: kind, port: 0, proto: proto, formats: formats.isEmpty ? ["0"] : formats)
        section.connection = MediaDescription.placeholderConnection
        section.mid = mid
        return section
    }

    /// DTLS-SRTP RTP profiles (UDP/TLS/RTP/SAVPF, TCP/DTLS/RTP/SAVPF, ...).
    static func isSecureRtp(_ proto: String) -> Bool {
        let upper = proto.uppercased()
        return (upper.hasSuffix("RTP/SAVPF") || upper.hasSuffix("RTP/SAVP")) && upper.contains("TLS")
    }

    /// Picks our codec (and its RTX) with the remote's payload type numbers, keeping the previous one if still offered.
    static func chooseCodec(in section: MediaDescription, local: LocalCapabilities,
                            preferring previous: NegotiatedCodec?) -> CodecChoice? {
        guard let capability = local.codec(for: section.kind) else { return nil }
        let candidates = section.codecs.filter { codec in
            capability.matches(RtpMap(payloadType: codec.payloadType, encodingName: codec.name,
                                      clockRate: codec.clockRate, channels: codec.channels))
        }
        guard let chosen = candidates.first(where: { $0.payloadType == previous?.payloadType }) ?? candidates.first
        else { return nil }
        var rtx: UInt8?
        if capability.preferredRtxPayloadType != nil {
            rtx = section.codecs.first {
                $0.isNamed("rtx") && $0.clockRate == chosen.clockRate && $0.associatedPayloadType == chosen.payloadType
            }?.payloadType
        }
        let feedback = Set(chosen.feedback).intersection(capability.feedback)
        let negotiated = NegotiatedCodec(payloadType: chosen.payloadType, name: chosen.name,
                                         clockRate: chosen.clockRate, channels: chosen.channels ?? 1,
                                         remoteParameters: chosen.parameters, rtxPayloadType: rtx, feedback: feedback)
        return CodecChoice(negotiated: negotiated, capability: capability)
    }

    /// Mids must be unique, and a renegotiation keeps every earlier section at its index with its mid and kind.
    static func checkSections(of description: SessionDescription, against previous: NegotiatedSession?) throws {
        var seen = Set<String>()
        for section in description.media {
            guard let mid = section.mid else {
                if section.isRejected { continue }
                throw NegotiationError("a \(section.kind) section has no a=mid; only Unified Plan SDP is supported")
            }
            guard seen.insert(mid).inserted else { throw NegotiationError(mid: mid, "the mid is used twice") }
        }
        guard let previous else { return }
        guard description.media.count >= previous.media.count else {
            throw NegotiationError("a renegotiation removed media sections (\(previous.media.count) before, "
                                   + "\(description.media.count) now); sections can only be added")
        }
        for (index, earlier) in previous.media.enumerated() {
            let section = description.media[index]
            if section.isRejected && (section.mid == nil || earlier.isRejected) { continue }
            guard section.mid == earlier.mid || earlier.mid.isEmpty, section.kind == earlier.kind else {
                throw NegotiationError(mid: section.mid, "section \(index) was mid \(earlier.mid) (\(earlier.kind)); "
                                       + "a renegotiation must keep sections in place")
            }
        }
    }

    /// Our DTLS role when answering: keep an established role, else be the client whenever the offer allows.
    static func answererRole(offered: SetupAttribute?, previous: DtlsRole?) throws -> DtlsRole {
        // RFC 4145: a missing setup attribute means "active".
        let remote = offered ?? .active
        if remote == .holdconn { throw NegotiationError("the offer says a=setup:holdconn; no DTLS connection possible") }
        let demanded = remote.role?.opposite
        if let previous {
            if let demanded, demanded != previous {
                throw NegotiationError("the offer's a=setup:\(remote.rawValue) would switch our established DTLS "
                                       + "role (\(previous.rawValue)); a new DTLS session is not supported")
            }
            return previous
        }
        return demanded ?? .client
    }

    /// The remote transport of the BUNDLE-tag section, checked against the previous negotiation.
    static func remoteTransport(of description: SessionDescription, at tag: Int, local: LocalCapabilities,
                                role: DtlsRole, previous: NegotiatedSession?) throws -> NegotiatedTransport {
        let mid = description.media[tag].mid
        guard let ufrag = description.iceUfrag(forMediaAt: tag), let pwd = description.icePwd(forMediaAt: tag) else {
            throw NegotiationError(mid: mid, "missing a=ice-ufrag / a=ice-pwd")
        }
        let fingerprints = description.fingerprints(forMediaAt: tag)
        guard !fingerprints.isEmpty else { throw NegotiationError(mid: mid, "missing a=fingerprint (DTLS is required)") }
        if let previous, !previous.transport.remoteFingerprints.isEmpty,
           !fingerprints.contains(where: { new in previous.transport.remoteFingerprints.contains { $0.matches(new) } }) {
            throw NegotiationError(mid: mid, "the peer's DTLS fingerprint changed; a new DTLS session is not supported")
        }
        let section = description.media[tag]
        return NegotiatedTransport(localIceUfrag: local.iceUfrag, localIcePwd: local.icePwd,
                                   localFingerprint: local.fingerprint, remoteIceUfrag: ufrag, remoteIcePwd: pwd,
                                   remoteFingerprints: fingerprints, remoteIceLite: description.iceLite,
                                   localRole: role, remoteCandidates: section.candidates,
                                   remoteEndOfCandidates: section.endOfCandidates)
    }

    /// Binds each local track to one accepted section of its kind: where it was before, else the first the peer
    /// is willing to receive on.
    static func attachTracks(offer: SessionDescription, choices: [CodecChoice?], local: LocalCapabilities,
                             previous: NegotiatedSession?) -> [Int: LocalTrack] {
        var attached: [Int: LocalTrack] = [:]
        for kind in [MediaKind.audio, .video] {
            guard let track = local.track(for: kind) else { continue }
            let usable = offer.media.indices.filter { choices[$0] != nil && offer.media[$0].kind == kind }
            let earlierMid = previous?.media.first { $0.kind == kind && $0.localSsrc == track.ssrc }?.mid
            if let earlierMid, let index = usable.first(where: { offer.media[$0].mid == earlierMid }) {
                attached[index] = track
            } else if let index = usable.first(where: { offer.media[$0].effectiveDirection.receives }) {
                attached[index] = track
            }
        }
        return attached
    }

    static func streamIds<S: Sequence>(of tracks: S) -> [String] where S.Element == LocalTrack {
        var seen = Set<String>()
        return tracks.map(\.streamId).sorted().filter { seen.insert($0).inserted }
    }
}

extension NegotiatedMedia {
    /// Records the peer's SSRCs, CNAME and msid announced in its section.
    mutating func setRemoteStreams(from section: MediaDescription) {
        remoteSsrc = section.primarySsrc
        remoteRtxSsrc = section.fidGroup?.rtx
        remoteCname = section.cname
        remoteMsid = section.msid
    }
}
