@testable import CallEngine
import Foundation
@testable import SDP
import Signaling
import Synchronization
import Testing
import TestSupport

/// Our PeerConnection against aiortc (another WebRTC implementation) over 127.0.0.1, both offer directions.
@Suite(.serialized)
struct AiortcInteropTests {
    static let audio = LocalTrack(ssrc: 0x0A0B_0C0D, streamId: "tuicall", trackId: "mic")

    /// A minimal Opus packet: TOC byte for a 20 ms CELT frame with no data (decoders conceal it).
    static func opusPacket(seq: UInt16, payloadType: UInt8) -> [UInt8] {
        makeTestRtp(seq: seq, ssrc: audio.ssrc, pt: payloadType, payload: [0xF8, 0xFF, 0xFE])
    }

    /// Media flows both ways once connected: aiortc's silence reaches us, our packets reach aiortc's receiver.
    static func checkMedia(_ ours: TestPeerConnection, _ theirs: AiortcPeer) throws {
        #expect(ours.waitConnected())
        let media = try #require(ours.pc.negotiated?.media.first { $0.kind == .audio })
        let pt = try #require(media.codec?.payloadType)
        #expect(ours.rtp.wait(seconds: 10) { $0.count >= 5 })
        #expect(ours.rtp.all.allSatisfy { $0.count > 12 && $0[1] & 0x7f == pt })
        if let ssrc = media.remoteSsrc {
            #expect(ours.rtp.all.allSatisfy { UInt32($0[8]) << 24 | UInt32($0[9]) << 16 | UInt32($0[10]) << 8 | UInt32($0[11]) == ssrc })
        }
        for seq in 0..<20 { ours.pc.transport.send(rtp: opusPacket(seq: UInt16(1000 + seq), payloadType: pt)) }
        var received = 0
        for _ in 0..<20 where received < 20 {
            received = theirs.stats()?.packetsReceived ?? 0
            if received < 20 { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(received >= 20)
        #expect(ours.pc.transport.stats.srtp.authDrops == 0)
    }

    /// Trickles our candidates to aiortc through `gate` (and, when `endOfCandidates`, the empty one that
    /// ends them once gathering completes).
    static func trickle(_ ours: TestPeerConnection, to theirs: AiortcPeer, through gate: SignalingGate,
                        endOfCandidates: Bool) {
        ours.pc.setEventHandler { event in
            ours.events.append(event)
            if case .iceCandidate(let c) = event {
                gate.send { theirs.send(AiortcMessage(type: "candidate", candidate: c.candidate, sdpMid: c.sdpMid,
                                                      sdpMLineIndex: c.sdpMLineIndex)) }
            } else if endOfCandidates, event == .iceGatheringComplete {
                gate.send { theirs.send(AiortcMessage(type: "candidate", candidate: "", sdpMid: "0", sdpMLineIndex: 0)) }
            }
        }
    }

    @Test func weOfferAiortcAnswers() throws {
        let ours = try TestPeerConnection(audio: Self.audio, receiveVideo: false)
        let theirs = try AiortcPeer(role: "answer")
        defer { theirs.stop(); ours.pc.close() }
        // Candidates may be gathered before the offer is on its way; aiortc drops candidates that come before
        // the offer, so hold them until it is sent (a signaling queue does the same by ordering its work).
        let gate = SignalingGate()
        Self.trickle(ours, to: theirs, through: gate, endOfCandidates: true)
        let offer = try ours.pc.createOffer()
        try ours.pc.setLocalDescription(offer)
        gate.open { theirs.send(AiortcMessage(type: "offer", sdp: offer.sdp)) }
        let answer = try #require(theirs.first("answer")?.sdp)
        try ours.pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: answer))
        try Self.checkMedia(ours, theirs)
        #expect(theirs.messages.all.contains { $0.type == "state" && $0.state == "connected" })
        #expect(!theirs.messages.all.contains { $0.type == "error" })
    }

    @Test func aiortcOffersWeAnswer() throws {
        let ours = try TestPeerConnection(audio: Self.audio, receiveVideo: false)
        let theirs = try AiortcPeer(role: "offer")
        defer { theirs.stop(); ours.pc.close() }
        let gate = SignalingGate()
        Self.trickle(ours, to: theirs, through: gate, endOfCandidates: false)
        let offer = try #require(theirs.first("offer")?.sdp)
        try ours.pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: offer))
        let answer = try ours.pc.createAnswer()
        try ours.pc.setLocalDescription(answer)
        gate.open { theirs.send(AiortcMessage(type: "answer", sdp: answer.sdp)) }
        try Self.checkMedia(ours, theirs)
        #expect(ours.pc.negotiated?.transport.localRole == .client)  // we answered setup:active
        #expect(!theirs.messages.all.contains { $0.type == "error" })
    }
}

/// Keeps messages in order behind the description: queued until `open`, sent directly afterwards.
final class SignalingGate: Sendable {
    private struct State {
        var isOpen = false
        var queued: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    func send(_ body: @escaping @Sendable () -> Void) {
        state.withLock { s in if s.isOpen { body() } else { s.queued.append(body) } }
    }

    func open(first: () -> Void) {
        state.withLock { s in
            first()
            s.isOpen = true
            s.queued.forEach { $0() }
            s.queued = []
        }
    }
}
