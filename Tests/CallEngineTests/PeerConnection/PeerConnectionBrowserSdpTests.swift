@testable import CallEngine
import Foundation
@testable import SDP
import Signaling
import Testing

/// PeerConnection fed with SDP captured from Chromium 156 running the browser sample (no media: the
/// browser is not here, so these check signaling states, roles and the kept transport).
@Suite struct PeerConnectionBrowserSdpTests {
    /// The SDP helper's fixtures (Tests/CallEngineTests/SDP/Fixtures), found through symlinks too.
    static func fixture(_ name: String) throws -> String {
        let here = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        return try String(contentsOf: here.appendingPathComponent("../../SDPTests/Fixtures/\(name).sdp"), encoding: .utf8)
    }

    static func peer() throws -> PeerConnection {
        try PeerConnection(configuration: PeerConnectionConfiguration(
            ice: .loopback, cname: "tuicall", audio: LocalTrack(ssrc: 11, streamId: "s", trackId: "a"),
            video: LocalTrack(ssrc: 22, rtxSsrc: 23, streamId: "s", trackId: "v")))
    }

    @Test func answersChromiumOfferAsDtlsClient() throws {
        let pc = try Self.peer()
        defer { pc.close() }
        try pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: try Self.fixture("chromium156-offer")))
        #expect(pc.signalingState == .haveRemoteOffer)
        let answer = try pc.createAnswer()
        try pc.setLocalDescription(answer)
        #expect(pc.signalingState == .stable)
        let parsed = try SessionDescription.parse(answer.sdp)
        #expect(parsed.media.count == 2)
        #expect(parsed.setup(forMediaAt: 0) == .active)
        #expect(parsed.iceUfrag(forMediaAt: 0) == pc.transport.localUfrag)
        #expect(parsed.fingerprints(forMediaAt: 0).first?.attributeValue == pc.transport.localFingerprint)
        #expect(pc.negotiated?.transport.remoteIceUfrag == "hShB")
        // The browser's trickled candidates are accepted, TCP ones skipped without error.
        try pc.addIceCandidate(IceCandidateInit(candidate: "candidate:1 1 udp 2122260223 127.0.0.1 9 typ host generation 0 ufrag hShB network-id 1",
                                                sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "hShB"))
        try pc.addIceCandidate(IceCandidateInit(candidate: "candidate:2 1 tcp 1518280447 127.0.0.1 9 typ host tcptype passive generation 0 ufrag hShB network-id 1",
                                                sdpMid: "0", sdpMLineIndex: 0, usernameFragment: "hShB"))
    }

    @Test func callerAppliesChromiumAnswerThenItsFourSectionReoffer() throws {
        let pc = try Self.peer()
        defer { pc.close() }
        let offer = try pc.createOffer()
        try pc.setLocalDescription(offer)
        try pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: try Self.fixture("chromium156-answer")))
        #expect(pc.signalingState == .stable)
        #expect(pc.negotiated?.transport.localRole == .server)  // Chromium answered setup:active
        let transport = pc.transport

        // The callee's re-offer adds mids 2 and 3 on the same BUNDLE transport.
        try pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: try Self.fixture("chromium156-reoffer")))
        let answer = try pc.createAnswer()
        try pc.setLocalDescription(answer)
        #expect(pc.signalingState == .stable)
        #expect(pc.negotiated?.media.count == 4)
        #expect(pc.negotiated?.bundleMids == ["0", "1", "2", "3"])
        #expect(try SessionDescription.parse(answer.sdp).setup(forMediaAt: 0) == .passive)  // role kept
        #expect(pc.transport === transport)
        #expect(pc.connectionState != .failed)
    }

    /// Chromium's restartIce() re-offer (new ufrag/pwd): answered with our own new credentials, same DTLS role.
    @Test func aChromiumIceRestartIsAnsweredWithNewCredentials() throws {
        let pc = try Self.peer()
        defer { pc.close() }
        let offer = try pc.createOffer()
        try pc.setLocalDescription(offer)
        try pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: try Self.fixture("chromium156-answer")))
        let before = pc.transport.localUfrag
        let restarted = try Self.fixture("chromium156-reoffer").replacingOccurrences(of: "a=ice-ufrag:kJvc", with: "a=ice-ufrag:zzzz")
        try pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: restarted))
        let answer = try pc.createAnswer()
        try pc.setLocalDescription(answer)
        #expect(pc.signalingState == .stable && pc.iceRestarts == 1)
        #expect(pc.transport.localUfrag != before)
        #expect(answer.sdp.contains("a=ice-ufrag:\(pc.transport.localUfrag)") && !answer.sdp.contains(before))
        #expect(try SessionDescription.parse(answer.sdp).setup(forMediaAt: 0) == .passive)  // DTLS role kept
    }
}
