@testable import SDP
import Testing

/// tuicall as caller, then the browser sample's 4-m-line re-offer; and renegotiation rules in general.
@Suite struct NegotiationRenegotiationTests {
    @Test func ourFirstOfferLooksLikeChromiums() throws {
        let local = SDPFixtures.local()
        let offer = Negotiation.offer(local: local)
        #expect(offer.bundleGroup?.mids == ["0", "1"])
        #expect(offer.media.map(\.kind) == [.audio, .video] && offer.media.map(\.mid) == ["0", "1"])
        #expect(offer.media.allSatisfy { section in
            section.direction == .sendrecv && section.setup == .actpass && section.rtcpMux && section.rtcpRsize
                && section.iceOptions == ["trickle"] && section.candidates.isEmpty && !section.endOfCandidates
                && section.iceUfrag == local.iceUfrag && section.fingerprints == [local.fingerprint]
                && section.proto == "UDP/TLS/RTP/SAVPF" && section.port == 9
        })
        #expect(offer.media[0].formats == ["111"] && offer.media[1].formats == ["96", "97"])
        #expect(offer.media[1].codec(payloadType: 97)?.associatedPayloadType == 96)
        #expect(offer.media[1].ssrcGroups == [SsrcGroup(semantics: "FID", ssrcs: [2222, 3333])])
        #expect(offer.media[1].ssrcs.filter { $0.name == "cname" }.map(\.ssrc) == [2222, 3333])
        #expect(offer.media[0].msid == Msid(streamId: "tuicall-stream", trackId: "tuicall-audio"))
        #expect(offer.media[0].extensionId(uri: HeaderExtensionMap.sdesMid) == 4)
        #expect(offer.media[1].extensionId(uri: HeaderExtensionMap.absSendTime) == 2)
        #expect(offer.msidSemantic?.streamIds == ["tuicall-stream"])
        #expect(offer.origin.sessionVersion == 2)
        let text = offer.serialized()
        #expect(text.hasSuffix("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(try SessionDescription.parse(text) == offer)
    }

    /// Our offer -> chromium156-answer (recvonly, active) -> chromium156-reoffer (4 sections) -> our answer.
    @Test func answersTheBrowserSamplesReofferKeepingRoleAndCredentials() throws {
        let local = SDPFixtures.local()
        let offer = Negotiation.offer(local: local)
        let first = try Negotiation.apply(answer: SDPFixtures.parsed("chromium156-answer"), to: offer)
        #expect(first.transport.localRole == .server, "the browser answered setup:active")
        #expect(first.media.map(\.direction) == [.sendonly, .sendonly], "the browser answered recvonly")
        #expect(first.media.map { $0.codec?.payloadType } == [111, 96])
        #expect(first.media[1].codec?.rtxPayloadType == 97)
        #expect(Set(first.media[1].codec?.feedback ?? []) == [RtcpFeedback.transportCC, RtcpFeedback.remb,
                                                              RtcpFeedback.fir, RtcpFeedback.nack, RtcpFeedback.pli])
        #expect(first.media[1].localSsrc == 2222 && first.media[1].localRtxSsrc == 3333)
        #expect(first.media[0].midExtensionId == 4)
        #expect(first.transport.remoteIceUfrag == "kJvc")
        #expect(first.transport.localIceUfrag == local.iceUfrag)

        let reoffer = try SDPFixtures.parsed("chromium156-reoffer")
        let (answer, second) = try Negotiation.answer(to: reoffer, local: local, previous: first)
        #expect(answer.media.map(\.mid) == ["0", "1", "2", "3"])
        #expect(answer.bundleGroup?.mids == ["0", "1", "2", "3"])
        #expect(answer.media.map(\.direction) == [.sendonly, .sendonly, .recvonly, .recvonly])
        #expect(answer.media.allSatisfy { $0.setup == .passive }, "we stay the DTLS server")
        #expect(answer.media.allSatisfy {
            $0.iceUfrag == local.iceUfrag && $0.icePwd == local.icePwd && $0.fingerprints == [local.fingerprint]
        })
        #expect(answer.media.map(\.formats) == [["111"], ["96", "97"], ["111"], ["96", "97"]])
        #expect(answer.media[1].fidGroup?.primary == 2222 && answer.media[3].ssrcs.isEmpty)
        #expect(answer.origin.sessionId == offer.origin.sessionId && answer.origin.sessionVersion == 3)

        #expect(second.transport.localRole == .server)
        #expect(second.transport.remoteFingerprints == first.transport.remoteFingerprints)
        #expect(second.media.map(\.direction) == [.sendonly, .sendonly, .recvonly, .recvonly])
        #expect(second.receivingMedia(kind: .video).map(\.mid) == ["3"])
        #expect(second.media[2].remoteSsrc == 2203609990)
        #expect(second.media[3].remoteSsrc == 2867945968 && second.media[3].remoteRtxSsrc == 4075878239)
        #expect(second.media[3].remoteMsid?.trackId == "122b7edc-149d-4b00-8590-25aefcbca2f6")
        #expect(second.sendingMedia(kind: .audio)?.mid == "0" && second.sendingMedia(kind: .video)?.mid == "1")
        #expect(try SessionDescription.parse(answer.serialized()) == answer)
    }

    @Test func asAnswererWeStayDtlsClientOnAReoffer() throws {
        let local = SDPFixtures.local()
        let offerText = try SDPFixtures.text("chromium156-offer")
        let (_, first) = try Negotiation.answer(to: SessionDescription.parse(offerText), local: local)
        #expect(first.transport.localRole == .client)

        var reoffer = try SessionDescription.parse(offerText)
        reoffer.origin.sessionVersion = 3
        let (answer, second) = try Negotiation.answer(to: reoffer, local: local, previous: first)
        #expect(second.transport.localRole == .client && answer.media.allSatisfy { $0.setup == .active })
        #expect(answer.origin.sessionVersion == 3)

        // A re-offer demanding that the peer becomes the client would need a new DTLS session.
        for index in reoffer.media.indices { reoffer.media[index].setup = .active }
        let error = try #require(throws: NegotiationError.self) {
            try Negotiation.answer(to: reoffer, local: local, previous: first)
        }
        #expect(error.reason.contains("DTLS role"))
    }

    @Test func renegotiationCannotChangeFingerprintOrReorderSections() throws {
        let local = SDPFixtures.local()
        let offer = try SDPFixtures.parsed("chromium156-offer")
        let (_, first) = try Negotiation.answer(to: offer, local: local)

        // chromium156-reoffer comes from the other browser: a different certificate.
        #expect(throws: NegotiationError.self) {
            try Negotiation.answer(to: SDPFixtures.parsed("chromium156-reoffer"), local: local, previous: first)
        }
        var swapped = offer
        swapped.media.swapAt(0, 1)
        let error = try #require(throws: NegotiationError.self) {
            try Negotiation.answer(to: swapped, local: local, previous: first)
        }
        #expect(error.reason.contains("in place"))
        var shorter = offer
        shorter.media.removeLast()
        #expect(throws: NegotiationError.self) { try Negotiation.answer(to: shorter, local: local, previous: first) }
    }

    @Test func ourReofferKeepsSectionsPayloadTypesAndVersion() throws {
        let local = SDPFixtures.local()
        let offer = Negotiation.offer(local: local)
        let first = try Negotiation.apply(answer: SDPFixtures.parsed("chromium156-answer"), to: offer)
        let (_, second) = try Negotiation.answer(to: SDPFixtures.parsed("chromium156-reoffer"), local: local,
                                                 previous: first)
        let reoffer = Negotiation.offer(local: local, previous: second)
        #expect(reoffer.media.map(\.mid) == ["0", "1", "2", "3"])
        #expect(reoffer.media.map(\.direction) == [.sendrecv, .sendrecv, .recvonly, .recvonly])
        #expect(reoffer.media.map(\.formats) == [["111"], ["96", "97"], ["111"], ["96", "97"]])
        #expect(reoffer.media.allSatisfy { $0.setup == .actpass && $0.iceUfrag == local.iceUfrag })
        #expect(reoffer.origin.sessionVersion == 4 && reoffer.origin.sessionId == local.sessionId)
        #expect(reoffer.bundleGroup?.mids == ["0", "1", "2", "3"])

        // A browser-like answer that keeps roles: active from the side that was already the client.
        var reanswer = try SDPFixtures.parsed("chromium156-reoffer")
        for index in reanswer.media.indices {
            reanswer.media[index].setup = .active
            reanswer.media[index].direction = [.recvonly, .recvonly, .sendonly, .sendonly][index]
        }
        let third = try Negotiation.apply(answer: reanswer, to: reoffer, previous: second)
        #expect(third.transport.localRole == .server)
        #expect(third.media.map(\.direction) == [.sendonly, .sendonly, .recvonly, .recvonly])

        for index in reanswer.media.indices { reanswer.media[index].setup = .passive }
        #expect(throws: NegotiationError.self) { try Negotiation.apply(answer: reanswer, to: reoffer, previous: second) }
    }

    /// The two real Chromium exchanges, applied from the offerer's side.
    @Test func appliesRealChromiumAnswersToTheirOffers() throws {
        let first = try Negotiation.apply(answer: SDPFixtures.parsed("chromium156-answer"),
                                          to: SDPFixtures.parsed("chromium156-offer"))
        #expect(first.transport.localRole == .server && first.transport.localIceUfrag == "hShB")
        #expect(first.media.map(\.direction) == [.sendonly, .sendonly])
        #expect(first.media.map { $0.codec?.payloadType } == [111, 96])
        #expect(first.media[1].codec?.rtxPayloadType == 97)
        #expect(first.media[1].localSsrc == 1301815999 && first.media[1].localRtxSsrc == 1618889280)
        #expect(first.media[0].remoteSsrc == nil, "the answerer sends nothing yet")

        let second = try Negotiation.apply(answer: SDPFixtures.parsed("chromium156-reanswer"),
                                           to: SDPFixtures.parsed("chromium156-reoffer"))
        #expect(second.transport.localRole == .client, "the re-answer keeps setup:passive")
        #expect(second.media.map(\.direction) == [.recvonly, .recvonly, .sendonly, .sendonly])
        #expect(second.bundleMids == ["0", "1", "2", "3"])
        #expect(second.media[1].remoteSsrc == 1301815999 && second.media[1].remoteRtxSsrc == 1618889280)
        let candidates = second.transport.remoteCandidates
        #expect(candidates.count == 4 && candidates.filter(\.isTCP).count == 2)
        #expect(candidates.first?.address == "192.0.2.2" && candidates.first?.port == 39695)
    }

    /// We answered without a camera, then turn it on: our re-offer sends it on the existing video section.
    @Test func aCameraAddedLaterGoesOnTheExistingVideoSection() throws {
        let (_, first) = try Negotiation.answer(to: SDPFixtures.parsed("chromium156-offer"),
                                                local: SDPFixtures.local(video: false))
        #expect(first.media.map(\.direction) == [.sendrecv, .recvonly])
        let reoffer = Negotiation.offer(local: SDPFixtures.local(), previous: first)
        #expect(reoffer.media.map(\.mid) == ["0", "1"])
        #expect(reoffer.media.map(\.direction) == [.sendrecv, .sendrecv])
        #expect(reoffer.media[1].fidGroup?.primary == 2222)
        #expect(reoffer.media.allSatisfy { $0.setup == .actpass })
    }

    /// Two tuicall engines talk to each other: offer -> answer -> apply agree on everything.
    @Test func ourOfferAnsweredByOurselvesAgrees() throws {
        let caller = SDPFixtures.local()
        var callee = SDPFixtures.local()
        callee.iceUfrag = "CaLe"
        callee.fingerprint = DtlsFingerprint(algorithm: "sha-256", bytes: Array(repeating: 0xAB, count: 32))
        callee.audio = LocalTrack(ssrc: 5555, streamId: "s2", trackId: "a2")
        callee.video = LocalTrack(ssrc: 6666, rtxSsrc: 7777, streamId: "s2", trackId: "v2")

        let offer = Negotiation.offer(local: caller)
        let (answer, calleeSession) = try Negotiation.answer(to: SessionDescription.parse(offer.serialized()),
                                                             local: callee)
        let callerSession = try Negotiation.apply(answer: SessionDescription.parse(answer.serialized()), to: offer)
        #expect(callerSession.transport.localRole == .server && calleeSession.transport.localRole == .client)
        #expect(callerSession.transport.remoteIceUfrag == "CaLe" && calleeSession.transport.remoteIceUfrag == "TuiC")
        #expect(callerSession.transport.remoteFingerprint == callee.fingerprint)
        for (ours, theirs) in zip(callerSession.media, calleeSession.media) {
            #expect(ours.codec == theirs.codec.map { var codec = $0; codec.remoteParameters = ours.codec?.remoteParameters; return codec })
            #expect(ours.direction == .sendrecv && theirs.direction == .sendrecv)
            #expect(ours.remoteSsrc == theirs.localSsrc && theirs.remoteSsrc == ours.localSsrc)
            #expect(ours.remoteRtxSsrc == theirs.localRtxSsrc && theirs.remoteRtxSsrc == ours.localRtxSsrc)
            #expect(ours.extensions == theirs.extensions)
        }
        #expect(callerSession.media[1].remoteRtxSsrc == 7777)
    }

    @Test func answersThatDoNotMatchTheOfferAreErrors() throws {
        let offer = Negotiation.offer(local: SDPFixtures.local())
        var answer = try SDPFixtures.parsed("chromium156-answer")
        answer.media[0].mid = "9"
        #expect(throws: NegotiationError.self) { try Negotiation.apply(answer: answer, to: offer) }

        var actpass = try SDPFixtures.parsed("chromium156-answer")
        for index in actpass.media.indices { actpass.media[index].setup = .actpass }
        let error = try #require(throws: NegotiationError.self) { try Negotiation.apply(answer: actpass, to: offer) }
        #expect(error.reason.contains("active or passive"))

        var noCodec = try SDPFixtures.parsed("chromium156-answer")
        noCodec.media[1].formats = ["102"]
        #expect(throws: NegotiationError.self) { try Negotiation.apply(answer: noCodec, to: offer) }

        var rejected = try SDPFixtures.parsed("chromium156-answer")
        rejected.media[1].port = 0
        rejected.groups = [SDPGroup(semantics: "BUNDLE", mids: ["0"])]
        let session = try Negotiation.apply(answer: rejected, to: offer)
        #expect(session.media.map(\.isRejected) == [false, true] && session.bundleMids == ["0"])
    }
}
