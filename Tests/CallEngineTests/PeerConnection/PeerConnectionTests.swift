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
        let offer = try caller.pc.createOffer()
        try caller.pc.setLocalDescription(offer)
        try callee.pc.setRemoteDescription(offer)
        let answer = try callee.pc.createAnswer()
        try callee.pc.setLocalDescription(answer)
        try caller.pc.setRemoteDescription(answer)
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
        let reoffer = try callee.pc.createOffer()
        try callee.pc.setLocalDescription(reoffer)
        try caller.pc.setRemoteDescription(reoffer)
        let answer = try caller.pc.createAnswer()
        try caller.pc.setLocalDescription(answer)
        try callee.pc.setRemoteDescription(answer)

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
