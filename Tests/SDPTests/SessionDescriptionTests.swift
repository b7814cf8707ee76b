@testable import SDP
import Testing

@Suite struct SessionDescriptionTests {
    @Test func parsesChromiumOffer() throws {
        let offer = try SDPFixtures.parsed("chromium156-offer")
        #expect(offer.origin.sessionId == "7057158407732052548")
        #expect(offer.origin.sessionVersion == 2)
        #expect(offer.bundleGroup?.mids == ["0", "1"])
        #expect(offer.extmapAllowMixed)
        #expect(offer.msidSemantic?.streamIds == ["3aa23564-0467-4030-ba53-9931ce6063e2"])
        #expect(offer.media.map(\.mid) == ["0", "1"])
        #expect(offer.media.map(\.kind) == [.audio, .video])

        let audio = offer.media[0]
        #expect(audio.port == 9 && audio.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.formats == ["111", "63", "9", "0", "8", "13", "110", "126"])
        #expect(audio.direction == .sendrecv)
        #expect(audio.setup == .actpass)
        #expect(audio.iceUfrag == "hShB" && audio.icePwd == "wBwq7Xc6SWsQPbRqH5IckQR6")
        #expect(audio.iceOptions == ["trickle"])
        #expect(audio.rtcpMux && audio.rtcpRsize)
        #expect(audio.extensionId(uri: HeaderExtensionMap.sdesMid) == 4)
        #expect(audio.extensionId(uri: HeaderExtensionMap.absSendTime) == 2)
        let opus = try #require(audio.codecs.first)
        #expect(opus.payloadType == 111 && opus.name == "opus" && opus.clockRate == 48000 && opus.channels == 2)
        #expect(opus.parameterMap == ["minptime": "10", "useinbandfec": "1"])
        #expect(opus.feedback == [RtcpFeedback.transportCC])
        #expect(audio.primarySsrc == 3987376866 && audio.cname == "kAoWwFMygVqpncsn")
        #expect(audio.msid == Msid(streamId: "3aa23564-0467-4030-ba53-9931ce6063e2",
                                   trackId: "83c875aa-e6b6-46dd-b7a7-d5e9b74664f2"))
        #expect(audio.otherAttributes.contains(SDPAttribute(name: "rtcp-xr", value: "rcvr-rtt=all")))
        #expect(audio.rtcp == "9 IN IP4 0.0.0.0" && audio.connection == "IN IP4 0.0.0.0")

        let video = offer.media[1]
        #expect(video.payloadTypes.count == 23)
        let vp8 = try #require(video.codec(payloadType: 96))
        #expect(vp8.name == "VP8" && vp8.clockRate == 90000)
        #expect(Set(vp8.feedback) == [RtcpFeedback.remb, RtcpFeedback.transportCC, RtcpFeedback.fir,
                                      RtcpFeedback.nack, RtcpFeedback.pli])
        #expect(video.codec(payloadType: 97)?.associatedPayloadType == 96)
        #expect(video.codec(payloadType: 102)?.parameterMap["profile-level-id"] == "42001f")
        #expect(video.extensionId(uri: HeaderExtensionMap.sdesMid) == 4)
        #expect(video.ssrcGroups == [SsrcGroup(semantics: "FID", ssrcs: [1301815999, 1618889280])])
        #expect(video.fidGroup?.primary == 1301815999 && video.fidGroup?.rtx == 1618889280)
        #expect(video.primarySsrc == 1301815999)
        let fingerprint = try #require(video.fingerprints.first)
        #expect(fingerprint.algorithm == "sha-256" && fingerprint.bytes.count == 32)
        #expect(fingerprint.bytes.prefix(3) == [0x01, 0x7D, 0xAE] && fingerprint.bytes.last == 0xE3)
    }

    @Test func parsesChromiumAnswerReofferAndReanswer() throws {
        let answer = try SDPFixtures.parsed("chromium156-answer")
        #expect(answer.media.map(\.direction) == [.recvonly, .recvonly])
        #expect(answer.media.map(\.setup) == [.active, .active])
        #expect(answer.media.allSatisfy { $0.ssrcs.isEmpty && $0.msids.isEmpty })
        #expect(answer.msidSemantic == MsidSemantic(semantic: "WMS", streamIds: []))

        let reoffer = try SDPFixtures.parsed("chromium156-reoffer")
        #expect(reoffer.bundleGroup?.mids == ["0", "1", "2", "3"])
        #expect(reoffer.media.map(\.mid) == ["0", "1", "2", "3"])
        #expect(reoffer.media.map(\.kind) == [.audio, .video, .audio, .video])
        #expect(reoffer.media.map(\.direction) == [.recvonly, .recvonly, .sendrecv, .sendrecv])
        #expect(reoffer.media.allSatisfy { $0.setup == .actpass && $0.iceUfrag == "kJvc" })
        #expect(reoffer.media[1].payloadTypes.count == 34)
        #expect(reoffer.media[3].fidGroup?.primary == 2867945968 && reoffer.media[3].fidGroup?.rtx == 4075878239)
        #expect(reoffer.media[2].primarySsrc == 2203609990)

        let reanswer = try SDPFixtures.parsed("chromium156-reanswer")
        #expect(reanswer.media.map(\.direction) == [.sendonly, .sendonly, .recvonly, .recvonly])
        #expect(reanswer.media.allSatisfy { $0.setup == .passive })
        #expect(reanswer.media[0].port == 39695 && reanswer.media[0].connection == "IN IP4 192.0.2.2")
        #expect(reanswer.media[0].candidates.count == 4 && reanswer.media[1].candidates.count == 4)
        #expect(reanswer.media[0].candidates[2].isTCP && reanswer.media[0].candidates[1].isIPv6)
    }

    @Test(arguments: SDPFixtures.names)
    func serializingAFixtureReproducesItByteForByte(name: String) throws {
        let text = try SDPFixtures.text(name)
        let parsed = try SessionDescription.parse(text)
        #expect(parsed.serialized() == text)
        #expect(try SessionDescription.parse(parsed.serialized()) == parsed)
    }

    @Test func acceptsBareLineFeedsAndTrailingBlankLines() throws {
        let crlf = try SDPFixtures.text("chromium156-offer")
        let lf = crlf.replacingOccurrences(of: "\r\n", with: "\n") + "\n\n"
        #expect(try SessionDescription.parse(lf) == SessionDescription.parse(crlf))
    }

    @Test func keepsUnknownAttributesAndLines() throws {
        let text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=x-session:1\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\nb=AS:64\r\na=x-flag\r\na=mid:a\r\n"
        let parsed = try SessionDescription.parse(text)
        #expect(parsed.otherAttributes == [SDPAttribute(name: "x-session", value: "1")])
        #expect(parsed.media[0].otherLines == ["b=AS:64"])
        #expect(parsed.media[0].otherAttributes == [SDPAttribute(name: "x-flag")])
        #expect(parsed.media[0].direction == nil && parsed.media[0].effectiveDirection == .sendrecv)
        #expect(try SessionDescription.parse(parsed.serialized()) == parsed)
    }

    /// Each bad line is reported with its 1-based number and its text.
    @Test(arguments: [
        ("a=rtpmap:96 VP8/90000", "a=rtpmap:300 VP8/90000", "rtpmap"),
        ("a=rtpmap:96 VP8/90000", "a=rtpmap:96 VP8/abc", "rtpmap"),
        ("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid", "a=extmap:0 urn:x", "extmap"),
        ("a=setup:actpass", "a=setup:sideways", "setup"),
        ("a=fingerprint:sha-256 01:7D", "a=fingerprint:sha-256 01:7Z", "fingerprint"),
        ("a=ssrc-group:FID 1301815999 1618889280", "a=ssrc-group:FID 1301815999 99999999999", "ssrc-group"),
        ("a=ssrc:1301815999 cname:kAoWwFMygVqpncsn", "a=ssrc:-1 cname:x", "ssrc"),
        ("a=mid:1", "a=mid:", "mid"),
        ("m=video 9 UDP/TLS/RTP/SAVPF 96", "m=video 70000 UDP/TLS/RTP/SAVPF 96", "port"),
        ("a=rtcp-mux", "garbage without equals", "letter"),
    ])
    func malformedLineIsNamed(original: String, replacement: String, expected: String) throws {
        let lines = try SDPFixtures.text("chromium156-offer").components(separatedBy: "\r\n")
        let index = try #require(lines.lastIndex { $0.hasPrefix(original) })
        var mutated = lines
        mutated[index] = replacement
        let error = try #require(throws: SDPError.self) { try SessionDescription.parse(mutated.joined(separator: "\r\n")) }
        #expect(error.lineNumber == index + 1)
        #expect(error.line == replacement)
        #expect(error.description.contains("line \(index + 1)"))
        #expect(error.description.contains(expected))
    }

    @Test func hostileStructureIsRejectedWithTheLine() throws {
        let noVersion = try #require(throws: SDPError.self) { try SessionDescription.parse("o=- 1 2 IN IP4 x\r\n") }
        #expect(noVersion.lineNumber == 1 && noVersion.reason.contains("v=0"))
        let mediaFirst = try #require(throws: SDPError.self) {
            try SessionDescription.parse("v=0\r\nm=audio 9 RTP/AVP 0\r\n")
        }
        #expect(mediaFirst.lineNumber == 2)
        let badOrigin = try #require(throws: SDPError.self) { try SessionDescription.parse("v=0\r\no=- x 2 IN IP4 a\r\n") }
        #expect(badOrigin.lineNumber == 2 && badOrigin.line == "o=- x 2 IN IP4 a")
        let empty = try #require(throws: SDPError.self) { try SessionDescription.parse("") }
        #expect(empty.reason.contains("v=0") || empty.reason.contains("o="))
        let huge = String(repeating: "a", count: SessionDescription.maximumLength + 1)
        let tooBig = try #require(throws: SDPError.self) { try SessionDescription.parse(huge) }
        #expect(tooBig.reason.contains("larger"))
    }

    @Test func longBadLinesAreTruncatedInErrors() throws {
        let longLine = "a=rtpmap:" + String(repeating: "9", count: 5000)
        let text = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n" + longLine
        let error = try #require(throws: SDPError.self) { try SessionDescription.parse(text) }
        #expect(error.lineNumber == 6)
        #expect(error.line.count == SDPError.maximumExcerptLength + 3)
        #expect(error.line.hasPrefix("a=rtpmap:999"))
    }

    @Test func fingerprintParsingAndComparison() throws {
        let text = "sha-256 01:7D:AE:74:96:FA:0D:2C:6D:5D:33:03:DA:56:0F:1A:C8:48:06:62:57:24:C9:10:D5:8B:56:C5:2A:10:CF:E3"
        let fingerprint = try #require(DtlsFingerprint(attributeValue: text))
        #expect(fingerprint.attributeValue == text)
        #expect(DtlsFingerprint(attributeValue: text.lowercased())?.matches(fingerprint) == true)
        var other = fingerprint
        other.bytes[31] ^= 1
        #expect(!fingerprint.matches(other))
        #expect(fingerprint.matches(digest: fingerprint.bytes))
        #expect(DtlsFingerprint(attributeValue: "sha-256 01:7D") == nil)
        #expect(DtlsFingerprint(attributeValue: "sha-1 " + Array(repeating: "AB", count: 20).joined(separator: ":")) != nil)
    }
}
