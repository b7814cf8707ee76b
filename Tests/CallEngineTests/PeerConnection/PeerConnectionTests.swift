@testable import CallEngine
import Foundation
@testable import SDP
import Signaling
import Testing
@testable import WebRTCTransport
import TestSupport

/// A peer connection plus everything it reported, wired to a peer like the chat server would relay.
final class TestPeerConnection: @unchecked Sendable {
    let pc: PeerConnection
    let events = TransportTestCollector<PeerConnectionEvent>()
    let rtp = TransportTestCollector<[UInt8]>()

    init(audio: LocalTrack? = nil, video: LocalTrack? = nil, receiveVideo: Bool = true) throws {
        pc = try PeerConnection(configuration: PeerConnectionConfiguration(
            ice: .loopback, cname: "test", audio: audio, video: video, receiveVideo: receiveVideo))
        let rtp = rtp
        pc.setMediaHandlers(TransportHandlers(onRtp: { rtp.append($0) }))
    }

    /// Forwards our trickled candidates to `peer` (as new-ice-candidate messages would).
    func trickle(to peer: TestPeerConnection) {
        let events = events
        pc.setEventHandler { event in
            events.append(event)
            if case .iceCandidate(let c) = event { try? peer.pc.addIceCandidate(c) }
        }
    }

    var candidates: [IceCandidateInit] { events.all.compactMap { if case .iceCandidate(let c) = $0 { c } else { nil } } }

    func waitConnected() -> Bool { events.wait(seconds: 15) { $0.contains(.connectionState(.connected)) } }
}

@Suite(.serialized) struct PeerConnectionTests {
    static let audio = LocalTrack(ssrc: 1111, streamId: "s", trackId: "a")
    static let video = LocalTrack(ssrc: 2222, rtxSsrc: 2223, streamId: "s", trackId: "v")

    /// Caller offers, callee answers; both trickle. Returns the pair once both are connected.
    static func call(caller: TestPeerConnection, callee: TestPeerConnection) throws {
        caller.trickle(to: callee)
        callee.trickle(to: caller)
        try negotiate(offerer: caller, answerer: callee)
    }

    /// One offer/answer exchange, in the order the chat server would relay it.
    @discardableResult
    static func negotiate(offerer: TestPeerConnection,
                          answerer: TestPeerConnection) throws -> (offer: SessionDescriptionInit, answer: SessionDescriptionInit) {
        let offer = try offerer.pc.createOffer()
        try offerer.pc.setLocalDescription(offer)
        try answerer.pc.setRemoteDescription(offer)
        let answer = try answerer.pc.createAnswer()
        try answerer.pc.setLocalDescription(answer)
        try offerer.pc.setRemoteDescription(answer)
        return (offer, answer)
    }

    @Test func offerAnswerWithTrickleConnectsAndCarriesMedia() throws {
        let caller = try TestPeerConnection(audio: Self.audio, video: Self.video)
        let callee = try TestPeerConnection(audio: LocalTrack(ssrc: 3333, streamId: "t", trackId: "a"))
        defer { caller.pc.close(); callee.pc.close() }
        try Self.call(caller: caller, callee: callee)
        #expect(caller.waitConnected())
        #expect(callee.waitConnected())
        #expect(caller.pc.signalingState == .stable && callee.pc.signalingState == .stable)

        // Trickled candidates carry the first bundled m-line and our ufrag, like a browser's.
        let first = try #require(caller.candidates.first)
        #expect(first.sdpMid == "0" && first.sdpMLineIndex == 0)
        #expect(first.usernameFragment == caller.pc.transport.localUfrag)
        #expect(first.candidate.hasPrefix("candidate:"))
        // Offer has no candidates (trickle), both m-lines, actpass; answer is active.
        let offerSdp = try #require(caller.pc.localDescription)
        #expect(offerSdp.media.count == 2 && offerSdp.media.allSatisfy { $0.candidates.isEmpty })
        #expect(callee.pc.localDescription?.setup(forMediaAt: 0) == .active)
        #expect(caller.pc.negotiated?.transport.localRole == .server)

        let packet = makeTestRtp(seq: 5, ssrc: 1111, pt: 111, payload: Array("opus".utf8))
        #expect(caller.pc.transport.send(rtp: packet))
        #expect(callee.rtp.wait(seconds: 5) { $0 == [packet] })
    }

    /// RFC 8445 §9 on one DTLS-SRTP session: whichever side restarts, both get new credentials, the kept local
    /// candidates are trickled again under the new ufrag, ICE connects again and SRTP (same keys) carries media.
    @Test(arguments: [true, false]) func iceRestartKeepsDtlsAndCarriesMediaAgain(callerRestarts: Bool) throws {
        let caller = try TestPeerConnection(audio: Self.audio)
        let callee = try TestPeerConnection(audio: LocalTrack(ssrc: 3333, streamId: "t", trackId: "a"))
        defer { caller.pc.close(); callee.pc.close() }
        try Self.call(caller: caller, callee: callee)
        #expect(caller.waitConnected() && callee.waitConnected())
        let ufrags = (caller.pc.transport.localUfrag, callee.pc.transport.localUfrag)
        let trickled = (caller.candidates.count, callee.candidates.count)
        let profile = caller.pc.transport.srtpProfile

        let (offerer, answerer) = callerRestarts ? (caller, callee) : (callee, caller)
        offerer.pc.restartIce()
        let (offer, answer) = try Self.negotiate(offerer: offerer, answerer: answerer)

        #expect(caller.pc.transport.localUfrag != ufrags.0 && callee.pc.transport.localUfrag != ufrags.1)
        #expect(offer.sdp.contains("a=ice-ufrag:\(offerer.pc.transport.localUfrag)"))
        #expect(answer.sdp.contains("a=ice-ufrag:\(answerer.pc.transport.localUfrag)"))
        #expect(offer.sdp.contains("a=ice-options:trickle"))
        #expect(caller.pc.iceRestarts == 1 && callee.pc.iceRestarts == 1)
        // The same candidates again, now tagged with the new ufrag.
        func candidates(_ events: [PeerConnectionEvent]) -> Int {
            events.filter { if case .iceCandidate = $0 { true } else { false } }.count
        }
        #expect(caller.events.wait(seconds: 5) { candidates($0) >= 2 * trickled.0 })
        #expect(callee.events.wait(seconds: 5) { candidates($0) >= 2 * trickled.1 })
        #expect(caller.candidates.last?.usernameFragment == caller.pc.transport.localUfrag)
        #expect(caller.events.wait(seconds: 10) { events in
            events.filter { $0 == .connectionState(.connected) }.count >= 2 })
        #expect(callee.events.wait(seconds: 10) { events in
            events.filter { $0 == .connectionState(.connected) }.count >= 2 })
        #expect(!caller.events.all.contains(.connectionState(.failed)))
        #expect(caller.pc.transport.srtpProfile == profile)

        let packet = makeTestRtp(seq: 9, ssrc: 1111, pt: 111, payload: Array("after restart".utf8))
        #expect(waitUntil(seconds: 5) { caller.pc.transport.send(rtp: packet) })
        #expect(callee.rtp.wait(seconds: 5) { $0.contains(packet) })
    }

    @Test func anAnswerThatChangesCredentialsWithoutARestartIsRefused() throws {
        let caller = try TestPeerConnection(audio: Self.audio)
        let callee = try TestPeerConnection(audio: LocalTrack(ssrc: 3333, streamId: "t", trackId: "a"))
        defer { caller.pc.close(); callee.pc.close() }
        try Self.call(caller: caller, callee: callee)
        let reoffer = try caller.pc.createOffer()
        try caller.pc.setLocalDescription(reoffer)
        try callee.pc.setRemoteDescription(reoffer)
        let answer = try callee.pc.createAnswer()
        let ufrag = callee.pc.transport.localUfrag
        let changed = answer.sdp.replacingOccurrences(of: "a=ice-ufrag:\(ufrag)", with: "a=ice-ufrag:zzzz")
        #expect(throws: PeerConnectionError.invalidDescription("the answer changed ICE credentials without an ICE restart")) {
            try caller.pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: changed))
        }
    }

    @Test func renegotiationAddingMediaKeepsTheTransport() throws {
        let caller = try TestPeerConnection(audio: Self.audio, receiveVideo: false)
        let callee = try TestPeerConnection(audio: LocalTrack(ssrc: 3333, streamId: "t", trackId: "a"),
                                  video: LocalTrack(ssrc: 4444, streamId: "t", trackId: "v"))
        defer { caller.pc.close(); callee.pc.close() }
        try Self.call(caller: caller, callee: callee)
        #expect(caller.waitConnected())
        #expect(callee.waitConnected())
        #expect(caller.pc.negotiated?.media.count == 1)
        let transport = caller.pc.transport
        let ufrag = transport.localUfrag

        // The callee re-offers (like the browser sample's callee) after the caller adds a camera.
        caller.pc.setLocalTracks(audio: Self.audio, video: Self.video)
        try Self.negotiate(offerer: callee, answerer: caller)

        #expect(caller.pc.negotiated?.media.count == 2)
        #expect(caller.pc.negotiated?.media.map(\.kind) == [.audio, .video])
        #expect(caller.pc.transport === transport)
        #expect(transport.localUfrag == ufrag)
        #expect(transport.currentState == .connected)
        #expect(!caller.events.all.contains(.connectionState(.failed)))
        let packet = makeTestRtp(seq: 9, ssrc: 2222, pt: 96, payload: [1, 2, 3])
        #expect(caller.pc.transport.send(rtp: packet))
        #expect(callee.rtp.wait(seconds: 5) { $0 == [packet] })
    }

    @Test func descriptionsOutOfOrderAreRejected() throws {
        let peer = try TestPeerConnection(audio: Self.audio)
        defer { peer.pc.close() }
        #expect(throws: PeerConnectionError.self) { try peer.pc.createAnswer() }
        #expect(throws: PeerConnectionError.self) {
            try peer.pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: "v=0\r\n"))
        }
        #expect(throws: PeerConnectionError.self) {
            try peer.pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: "not sdp"))
        }
        #expect(throws: PeerConnectionError.self) { try peer.pc.addIceCandidate(IceCandidateInit(candidate: "candidate:x")) }
        #expect(peer.pc.signalingState == .stable)
    }
}
