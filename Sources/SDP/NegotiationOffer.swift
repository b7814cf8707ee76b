extension Negotiation {
    /// Writes our offer: audio mid 0 and video mid 1 on a first call (sendrecv, actpass, BUNDLE, rtcp-mux,
    /// rtcp-rsize, msid, FID group for RTX, trickle: no candidates). With `previous`, keeps every section, mid,
    /// payload type and extension id, keeps each track on its section, and adds sections only for a kind that has none.
    package static func offer(local: LocalCapabilities, previous: NegotiatedSession? = nil) -> SessionDescription {
        var origin = SDPOrigin(sessionId: local.sessionId, sessionVersion: 2)
        if let previous { origin = previous.localOrigin; origin.sessionVersion &+= 1 }
        var description = SessionDescription(origin: origin)
        var attached: [LocalTrack] = []
        var bundle: [String] = []
        var kindsPresent = Set<MediaKind>()

        // Each track stays on the section it had; a track new to the call takes the first section of its kind.
        let earlierMedia = previous?.media ?? []
        var trackSection: [MediaKind: Int] = [:]
        for kind in [MediaKind.audio, .video] {
            guard let track = local.track(for: kind) else { continue }
            let usable = earlierMedia.indices.filter { earlierMedia[$0].kind == kind && !earlierMedia[$0].isRejected }
            trackSection[kind] = usable.first { earlierMedia[$0].localSsrc == track.ssrc }
                ?? usable.first { earlierMedia[$0].localSsrc != nil } ?? usable.first
        }

        for (index, earlier) in earlierMedia.enumerated() {
            guard let codec = earlier.codec, let capability = local.codec(for: earlier.kind) else {
                let formats = earlier.proto.uppercased().contains("SCTP") ? ["webrtc-datachannel"] : ["0"]
                description.media.append(rejectedSection(kind: earlier.kind, proto: earlier.proto, formats: formats,
                                                         mid: earlier.mid.isEmpty ? nil : earlier.mid))
                continue
            }
            kindsPresent.insert(earlier.kind)
            let track = trackSection[earlier.kind] == index ? local.track(for: earlier.kind) : nil
            if let track { attached.append(track) }
            let plan = SectionPlan(kind: earlier.kind, mid: earlier.mid, proto: earlier.proto,
                                   direction: MediaDirection(send: track != nil, receive: local.receives(earlier.kind)),
                                   codec: codec, capability: capability, extensions: earlier.extensions,
                                   track: track, rtcpRsize: true)
            description.media.append(plan.section(local: local, setup: .actpass))
            bundle.append(earlier.mid)
        }

        // New sections: a first offer, or a track kind the previous session never carried.
        // Numeric mids from a hostile peer may be huge: only small ones count, so this cannot overflow.
        var nextMid = (description.media.compactMap { $0.mid.flatMap { Int($0) } }.filter { $0 < 1_000_000 }.max() ?? -1) + 1
        for kind in [MediaKind.audio, .video] where !kindsPresent.contains(kind) {
            let track = local.track(for: kind)
            guard track != nil || local.receives(kind), let capability = local.codec(for: kind) else { continue }
            if let track { attached.append(track) }
            let mid = String(nextMid)
            nextMid += 1
            let codec = NegotiatedCodec(payloadType: capability.preferredPayloadType, name: capability.name,
                                        clockRate: capability.clockRate, channels: capability.channels ?? 1,
                                        remoteParameters: nil, rtxPayloadType: capability.preferredRtxPayloadType,
                                        feedback: Set(capability.feedback))
            let extensions = local.headerExtensions.compactMap { uri in
                LocalCapabilities.offerExtensionIds[uri].map { HeaderExtensionMap(id: $0, uri: uri) }
            }.sorted { $0.id < $1.id }
            let plan = SectionPlan(kind: kind, mid: mid, proto: MediaDescription.webRTCProtocol,
                                   direction: MediaDirection(send: track != nil, receive: local.receives(kind)),
                                   codec: codec, capability: capability, extensions: extensions, track: track,
                                   rtcpRsize: true)
            description.media.append(plan.section(local: local, setup: .actpass))
            bundle.append(mid)
        }
        description.groups = [SDPGroup(semantics: "BUNDLE", mids: bundle)]
        description.msidSemantic = MsidSemantic(streamIds: streamIds(of: attached))
        return description
    }

    /// Applies the peer's answer to the offer we sent. Our payload types, SSRCs and ICE credentials come from
    /// `offer`; the peer's from `answer`. With `previous`, the DTLS role and the peer's fingerprint must not change.
    package static func apply(answer: SessionDescription, to offer: SessionDescription,
                             previous: NegotiatedSession? = nil) throws -> NegotiatedSession {
        guard answer.media.count == offer.media.count else {
            throw NegotiationError("the answer has \(answer.media.count) media sections, the offer \(offer.media.count)")
        }
        for (offered, answered) in zip(offer.media, answer.media) {
            guard answered.mid == offered.mid || (answered.isRejected && answered.mid == nil),
                  answered.kind == offered.kind else {
                throw NegotiationError(mid: answered.mid, "the answer's sections do not match the offer's "
                                       + "(expected mid \(offered.mid ?? "none"), \(offered.kind))")
            }
        }
        let acceptedIndices = answer.media.indices.filter { !answer.media[$0].isRejected && !offer.media[$0].isRejected }
        let bundleMids = answer.bundleGroup?.mids.filter { mid in
            acceptedIndices.contains { answer.media[$0].mid == mid }
        } ?? acceptedIndices.compactMap { answer.media[$0].mid }
        guard let tagMid = bundleMids.first, let tag = answer.media.firstIndex(where: { $0.mid == tagMid }) else {
            throw NegotiationError("the answer rejected every media section")
        }
        if acceptedIndices.count > 1,
           !acceptedIndices.allSatisfy({ index in answer.media[index].mid.map(bundleMids.contains) == true }) {
            throw NegotiationError("the answer does not BUNDLE all accepted sections; tuicall needs one transport")
        }

        // The answerer's setup decides the roles; a missing attribute means "active" (RFC 4145).
        let remoteSetup = answer.setup(forMediaAt: tag) ?? .active
        guard let remoteRole = remoteSetup.role else {
            throw NegotiationError(mid: tagMid, "an answer must say a=setup:active or passive, not \(remoteSetup.rawValue)")
        }
        let role = remoteRole.opposite
        if let previous, previous.transport.localRole != role {
            throw NegotiationError(mid: tagMid, "the answer switches our established DTLS role "
                                   + "(\(previous.transport.localRole.rawValue)); a new DTLS session is not supported")
        }
        let offerTag = offer.media.firstIndex { $0.mid == tagMid } ?? tag
        guard let localUfrag = offer.iceUfrag(forMediaAt: offerTag), let localPwd = offer.icePwd(forMediaAt: offerTag),
              let localFingerprint = offer.fingerprints(forMediaAt: offerTag).first else {
            throw NegotiationError(mid: tagMid, "our offer lacks ICE credentials or a fingerprint")
        }
        let ourSide = LocalCapabilities(iceUfrag: localUfrag, icePwd: localPwd, fingerprint: localFingerprint,
                                        sessionId: offer.origin.sessionId, cname: "", audio: nil, video: nil)
        let transport = try remoteTransport(of: answer, at: tag, local: ourSide, role: role, previous: previous)

        var negotiated: [NegotiatedMedia] = []
        for (index, (offered, answered)) in zip(offer.media, answer.media).enumerated() {
            let mid = offered.mid ?? ""
            guard acceptedIndices.contains(index) else {
                negotiated.append(NegotiatedMedia(mid: mid, kind: offered.kind, proto: offered.proto,
                                                  direction: .inactive, codec: nil))
                continue
            }
            let codec = try answeredCodec(offered: offered, answered: answered)
            let offeredUris = Set(offered.extmaps.map(\.uri))
            let extensions = answered.extmaps.filter { offeredUris.contains($0.uri) }
                .map { HeaderExtensionMap(id: $0.id, uri: $0.uri) }
            let direction = offered.effectiveDirection.intersection(answered.effectiveDirection.reversed)
            var media = NegotiatedMedia(mid: mid, kind: offered.kind, proto: offered.proto, direction: direction,
                                        codec: codec, extensions: extensions, localSsrc: offered.primarySsrc,
                                        localRtxSsrc: codec.rtxPayloadType == nil ? nil : offered.fidGroup?.rtx)
            media.setRemoteStreams(from: answered)
            negotiated.append(media)
        }
        return NegotiatedSession(media: negotiated, transport: transport, bundleMids: bundleMids,
                                 localOrigin: offer.origin, remoteOrigin: answer.origin)
    }

    /// The first payload type of the answer that we offered as a real codec, with RTX and feedback both listed.
    static func answeredCodec(offered: MediaDescription, answered: MediaDescription) throws -> NegotiatedCodec {
        let repairNames: Set<String> = ["rtx", "red", "ulpfec", "flexfec-03", "cn", "telephone-event"]
        guard let pt = answered.payloadTypes.first(where: { pt in
            offered.payloadTypes.contains(pt)
                && offered.codec(payloadType: pt).map { !repairNames.contains($0.name.lowercased()) } == true
        }), let ours = offered.codec(payloadType: pt) else {
            throw NegotiationError(mid: answered.mid, "the answer picked no codec we offered")
        }
        let theirs = answered.codec(payloadType: pt)
        let rtx = answered.payloadTypes.first { rtxPt in
            offered.codec(payloadType: rtxPt).map { $0.isNamed("rtx") && $0.associatedPayloadType == pt } == true
        }
        let feedback = Set(theirs?.feedback ?? []).intersection(ours.feedback)
        return NegotiatedCodec(payloadType: pt, name: ours.name, clockRate: ours.clockRate, channels: ours.channels ?? 1,
                               remoteParameters: theirs?.parameters, rtxPayloadType: rtx, feedback: feedback)
    }
}
