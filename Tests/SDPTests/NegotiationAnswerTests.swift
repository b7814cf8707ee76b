@testable import SDP
import Testing

/// tuicall as callee: answering browser offers.
@Suite struct NegotiationAnswerTests {
    @Test func answersChromiumOfferSendRecvAsDtlsClient() throws {
        let offer = try SDPFixtures.parsed("chromium156-offer")
        let local = SDPFixtures.local()
        let (answer, session) = try Negotiation.answer(to: offer, local: local)

        #expect(answer.bundleGroup?.mids == ["0", "1"])
        #expect(answer.media.map(\.mid) == ["0", "1"])
        #expect(answer.media.map(\.direction) == [.sendrecv, .sendrecv])
        #expect(answer.media.allSatisfy { section in
            section.setup == .active && section.rtcpMux && section.rtcpRsize && section.port == 9
                && section.iceUfrag == "TuiC" && section.icePwd == "tuicallPasswordOf24Chars"
                && section.fingerprints == [local.fingerprint] && section.iceOptions == ["trickle"]
                && section.candidates.isEmpty
        })
        let audio = answer.media[0], video = answer.media[1]
        #expect(audio.formats == ["111"])
        #expect(audio.rtpMaps == [RtpMap(payloadType: 111, encodingName: "opus", clockRate: 48000, channels: 2)])
        #expect(audio.fmtps == [Fmtp(payloadType: 111, parameters: "minptime=10;useinbandfec=1")])
        #expect(audio.rtcpFeedback.map(\.kind) == [RtcpFeedback.transportCC])
        #expect(video.formats == ["96", "97"])
        #expect(video.codec(payloadType: 97)?.associatedPayloadType == 96)
        #expect(Set(video.rtcpFeedback.map(\.kind)) == [RtcpFeedback.transportCC, RtcpFeedback.remb, RtcpFeedback.fir,
                                                         RtcpFeedback.nack, RtcpFeedback.pli])
        #expect(video.extmaps.map(\.uri) == [HeaderExtensionMap.absSendTime, HeaderExtensionMap.transportWideCC,
                                             HeaderExtensionMap.sdesMid])
        #expect(video.extensionId(uri: HeaderExtensionMap.sdesMid) == 4)
        #expect(video.ssrcGroups == [SsrcGroup(semantics: "FID", ssrcs: [2222, 3333])])
        #expect(video.msid == Msid(streamId: "tuicall-stream", trackId: "tuicall-video"))
        #expect(audio.primarySsrc == 1111 && audio.cname == "tuicallCname")
        #expect(answer.origin.sessionId == "1234567890123456789")

        // The text we send parses back to the same description.
        #expect(try SessionDescription.parse(answer.serialized()) == answer)

        #expect(session.transport.localRole == .client)
        #expect(session.transport.remoteIceUfrag == "hShB")
        #expect(session.transport.remoteIcePwd == "wBwq7Xc6SWsQPbRqH5IckQR6")
        #expect(session.transport.remoteFingerprint == offer.media[0].fingerprints.first)
        #expect(session.bundleMids == ["0", "1"])
        let negotiatedAudio = try #require(session.media(mid: "0"))
        #expect(negotiatedAudio.codec?.payloadType == 111 && negotiatedAudio.codec?.channels == 2)
        #expect(negotiatedAudio.codec?.remoteParameters == "minptime=10;useinbandfec=1")
        #expect(negotiatedAudio.remoteSsrc == 3987376866 && negotiatedAudio.localSsrc == 1111)
        #expect(negotiatedAudio.midExtensionId == 4 && negotiatedAudio.absSendTimeExtensionId == 2)
        let negotiatedVideo = try #require(session.media(mid: "1"))
        #expect(negotiatedVideo.codec?.payloadType == 96 && negotiatedVideo.codec?.rtxPayloadType == 97)
        #expect(negotiatedVideo.codec?.clockRate == 90000)
        #expect(negotiatedVideo.codec?.supports(RtcpFeedback.pli) == true)
        #expect(negotiatedVideo.codec?.supports(RtcpFeedback.transportCC) == true)
        #expect(negotiatedVideo.remoteSsrc == 1301815999 && negotiatedVideo.remoteRtxSsrc == 1618889280)
        #expect(negotiatedVideo.localSsrc == 2222 && negotiatedVideo.localRtxSsrc == 3333)
        #expect(session.sendingMedia(kind: .video)?.mid == "1")
    }

    /// Chromium's offer agrees transport-cc on both m-lines with its extension id; a peer without it gets REMB.
    @Test func agreesTransportCCAndREMBWithoutIt() throws {
        let offer = try SDPFixtures.parsed("chromium156-offer")
        let (answer, session) = try Negotiation.answer(to: offer, local: SDPFixtures.local())
        #expect(answer.media.allSatisfy { $0.rtcpFeedback.contains { $0.kind == RtcpFeedback.transportCC } })
        for mid in ["0", "1"] {
            let m = try #require(session.media(mid: mid))
            #expect(m.codec?.supports(RtcpFeedback.transportCC) == true && m.transportCcExtensionId == 3)
        }
        var old = SDPFixtures.local()
        old.audioCodec = old.audioCodec.withoutTransportCC
        old.videoCodec = old.videoCodec.withoutTransportCC
        old.headerExtensions.removeAll { $0 == HeaderExtensionMap.transportWideCC }
        let (_, remb) = try Negotiation.answer(to: offer, local: old)
        let video = try #require(remb.media(mid: "1"))
        #expect(video.codec?.supports(RtcpFeedback.transportCC) == false && video.transportCcExtensionId == nil)
        #expect(video.codec?.supports(RtcpFeedback.remb) == true)
    }

    @Test func usesThePayloadTypesTheOfferChose() throws {
        var offer = try SDPFixtures.parsed("chromium156-offer")
        offer.media[0].swapPayloadTypes(111, 63)
        offer.media[1].swapPayloadTypes(96, 100)
        offer.media[1].swapPayloadTypes(97, 101)
        #expect(offer.media[1].codec(payloadType: 100)?.name == "VP8")
        #expect(offer.media[1].codec(payloadType: 101)?.associatedPayloadType == 100)

        let (answer, session) = try Negotiation.answer(to: offer, local: SDPFixtures.local())
        #expect(answer.media[0].formats == ["63"] && answer.media[0].rtpMaps.first?.encodingName == "opus")
        #expect(answer.media[1].formats == ["100", "101"])
        #expect(answer.media[1].fmtps == [Fmtp(payloadType: 101, parameters: "apt=100")])
        #expect(session.media[0].codec?.payloadType == 63)
        #expect(session.media[1].codec?.payloadType == 100 && session.media[1].codec?.rtxPayloadType == 101)
    }

    @Test func videoWithoutRtxIsNegotiatedWithoutRtx() throws {
        var offer = try SDPFixtures.parsed("chromium156-offer")
        offer.media[1].fmtps.removeAll { $0.parameters == "apt=96" }
        let (answer, session) = try Negotiation.answer(to: offer, local: SDPFixtures.local())
        #expect(answer.media[1].formats == ["96"])
        #expect(answer.media[1].ssrcGroups.isEmpty && answer.media[1].ssrcList == [2222])
        #expect(session.media[1].codec?.rtxPayloadType == nil && session.media[1].localRtxSsrc == nil)
    }

    @Test func rejectsDataChannelAndH264OnlySectionsAndDropsThemFromBundle() throws {
        var text = try SDPFixtures.text("chromium156-offer")
        text = text.replacingOccurrences(of: "a=group:BUNDLE 0 1", with: "a=group:BUNDLE 0 1 2 3")
        text += "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:hShB\r\n"
            + "a=ice-pwd:wBwq7Xc6SWsQPbRqH5IckQR6\r\na=ice-options:trickle\r\na=setup:actpass\r\na=mid:2\r\n"
            + "a=sctp-port:5000\r\na=max-message-size:262144\r\n"
            + "m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n"
            + "a=ice-ufrag:hShB\r\na=ice-pwd:wBwq7Xc6SWsQPbRqH5IckQR6\r\na=setup:actpass\r\na=mid:3\r\na=sendrecv\r\n"
            + "a=rtcp-mux\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 packetization-mode=1;profile-level-id=42e01f\r\n"
            + "a=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n"
        let offer = try SessionDescription.parse(text)
        let (answer, session) = try Negotiation.answer(to: offer, local: SDPFixtures.local())

        #expect(answer.media.map(\.mid) == ["0", "1", "2", "3"])
        #expect(answer.media.map(\.port) == [9, 9, 0, 0])
        #expect(answer.media[2].kind == .application && answer.media[2].formats == ["webrtc-datachannel"])
        #expect(answer.media[2].proto == "UDP/DTLS/SCTP")
        #expect(answer.media[3].kind == .video && answer.media[3].isRejected)
        #expect(answer.bundleGroup?.mids == ["0", "1"])
        #expect(session.bundleMids == ["0", "1"])
        #expect(session.media.map(\.isRejected) == [false, false, true, true])
        #expect(try SessionDescription.parse(answer.serialized()) == answer)
    }

    @Test func rejectsSectionsOutsideBundleOrWithoutRtcpMux() throws {
        var offer = try SDPFixtures.parsed("chromium156-offer")
        offer.groups = [SDPGroup(semantics: "BUNDLE", mids: ["1"])]
        let (answer, _) = try Negotiation.answer(to: offer, local: SDPFixtures.local())
        #expect(answer.media.map(\.port) == [0, 9] && answer.bundleGroup?.mids == ["1"])

        var noMux = try SDPFixtures.parsed("chromium156-offer")
        noMux.media[1].rtcpMux = false
        let (muxAnswer, _) = try Negotiation.answer(to: noMux, local: SDPFixtures.local())
        #expect(muxAnswer.media.map(\.port) == [9, 0] && muxAnswer.bundleGroup?.mids == ["0"])
    }

    /// Answer direction = what we want ∩ the reverse of what the peer offers.
    @Test(arguments: MediaDirection.allCases)
    func answerDirectionIsTheIntersection(offered: MediaDirection) throws {
        var offer = try SDPFixtures.parsed("chromium156-offer")
        offer.media[0].direction = offered
        offer.media[1].direction = offered
        let sendOnly = { var local = SDPFixtures.local(); local.receiveAudio = false; local.receiveVideo = false; return local }()
        let cases: [(LocalCapabilities, MediaDirection)] = [
            (SDPFixtures.local(), .sendrecv), (SDPFixtures.local(audio: false, video: false), .recvonly),
            (sendOnly, .sendonly),
        ]
        for (local, wanted) in cases {
            let (answer, session) = try Negotiation.answer(to: offer, local: local)
            let effective = wanted.intersection(offered.reversed)
            #expect(answer.media.map(\.direction) == [effective, effective], "wanted \(wanted), offered \(offered)")
            #expect(session.media.map(\.direction) == [effective, effective])
            #expect(answer.media[1].ssrcs.isEmpty == !effective.sends)
        }
    }

    @Test func offersWithoutBundleOrTransportFieldsAreErrors() throws {
        var noBundle = try SDPFixtures.parsed("chromium156-offer")
        noBundle.groups = []
        #expect(throws: NegotiationError.self) { try Negotiation.answer(to: noBundle, local: SDPFixtures.local()) }

        var noIce = try SDPFixtures.parsed("chromium156-offer")
        noIce.media[0].icePwd = nil
        let iceError = try #require(throws: NegotiationError.self) {
            try Negotiation.answer(to: noIce, local: SDPFixtures.local())
        }
        #expect(iceError.mid == "0" && iceError.reason.contains("ice-pwd"))

        var noFingerprint = try SDPFixtures.parsed("chromium156-offer")
        noFingerprint.media[0].fingerprints = []
        let dtlsError = try #require(throws: NegotiationError.self) {
            try Negotiation.answer(to: noFingerprint, local: SDPFixtures.local())
        }
        #expect(dtlsError.reason.contains("fingerprint"))

        var duplicate = try SDPFixtures.parsed("chromium156-offer")
        duplicate.media[1].mid = "0"
        #expect(throws: NegotiationError.self) { try Negotiation.answer(to: duplicate, local: SDPFixtures.local()) }
    }

    @Test func sessionLevelTransportAttributesAreUsed() throws {
        var offer = try SDPFixtures.parsed("chromium156-offer")
        offer.iceUfrag = offer.media[0].iceUfrag
        offer.icePwd = offer.media[0].icePwd
        offer.fingerprints = offer.media[0].fingerprints
        offer.setup = .passive
        for index in offer.media.indices {
            offer.media[index].iceUfrag = nil
            offer.media[index].icePwd = nil
            offer.media[index].fingerprints = []
            offer.media[index].setup = nil
        }
        let (answer, session) = try Negotiation.answer(to: offer, local: SDPFixtures.local())
        #expect(session.transport.remoteIceUfrag == "hShB")
        #expect(session.transport.localRole == .client && answer.media[0].setup == .active)
    }

    @Test func anOfferThatSaysActiveMakesUsTheDtlsServer() throws {
        var offer = try SDPFixtures.parsed("chromium156-offer")
        for index in offer.media.indices { offer.media[index].setup = .active }
        let (answer, session) = try Negotiation.answer(to: offer, local: SDPFixtures.local())
        #expect(session.transport.localRole == .server)
        #expect(answer.media.allSatisfy { $0.setup == .passive })
    }
}

extension MediaDescription {
    /// Exchanges two payload type numbers everywhere in the section (to prove nothing assumes 96/111).
    mutating func swapPayloadTypes(_ a: UInt8, _ b: UInt8) {
        func swap(_ pt: UInt8) -> UInt8 { pt == a ? b : pt == b ? a : pt }
        formats = formats.map { RtpMap.payloadType($0).map { String(swap($0)) } ?? $0 }
        rtpMaps = rtpMaps.map { var map = $0; map.payloadType = swap(map.payloadType); return map }
        rtcpFeedback = rtcpFeedback.map { var fb = $0; fb.payloadType = fb.payloadType.map(swap); return fb }
        fmtps = fmtps.map { fmtp in
            var copy = fmtp
            copy.payloadType = swap(fmtp.payloadType)
            if let apt = fmtp.parameterMap["apt"].flatMap({ UInt8($0) }) { copy.parameters = "apt=\(swap(apt))" }
            return copy
        }
    }
}
