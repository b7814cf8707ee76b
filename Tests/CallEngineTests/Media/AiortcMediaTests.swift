@testable import CallEngine
import Capture
import Foundation
@testable import SDP
import Signaling
import Testing
import TestSupport

/// VP8 + Opus both ways between our MediaSession and aiortc (another WebRTC implementation), both offer directions.
@Suite(.serialized)
struct AiortcMediaTests {
    static func tracks() -> (LocalTrack, LocalTrack) {
        (LocalTrack(ssrc: .random(in: 1...UInt32.max), streamId: "tuicall", trackId: "mic"),
         LocalTrack(ssrc: .random(in: 1...UInt32.max), rtxSsrc: .random(in: 1...UInt32.max), streamId: "tuicall",
                    trackId: "cam"))
    }

    /// Starts our media, then checks both sides decoded the other's video and audio.
    static func exchangeMedia(_ pc: PeerConnection, connected: TransportTestCollector<PeerConnectionEvent>,
                              _ theirs: AiortcPeer) throws {
        #expect(connected.wait(seconds: 15) { $0.contains(.connectionState(.connected)) })
        let session = MediaSession(peerConnection: pc, options: MediaSessionOptions(cname: "tuicall"))
        let video = StampCollectingSink(), audio = SampleCollectingSink()
        session.addVideoSink(video)
        session.addAudioSink(audio)
        try session.start(video: TestPatternSource(width: 320, height: 240, fps: 30), audio: ToneSource())
        defer { session.stop() }
        // aiortc's 640x480 green frames decoded here; its (silent) Opus played out here.
        #expect(waitUntil(seconds: 15) { video.all.count >= 30 })
        #expect(video.all.last.map { $0.width == 640 && $0.height == 480 } == true)
        #expect(waitUntil(seconds: 5) { audio.all.count >= 48_000 })
        // Our pattern and tone decoded by aiortc.
        var stats: AiortcMessage?
        _ = waitUntil(seconds: 15) {
            stats = theirs.stats()
            return (stats?.videoFrames ?? 0) >= 30 && (stats?.audioFrames ?? 0) >= 50
        }
        #expect((stats?.videoFrames ?? 0) >= 30)
        #expect(stats?.width == 320 && stats?.height == 240)
        #expect((stats?.audioFrames ?? 0) >= 50)
        #expect(!theirs.messages.all.contains { $0.type == "error" })
    }

    @Test func weOfferAiortcAnswers() throws {
        let (a, v) = Self.tracks()
        let pc = try PeerConnection(configuration: PeerConnectionConfiguration(ice: .loopback, cname: "tuicall", audio: a, video: v))
        let theirs = try AiortcPeer(role: "answer", media: true)
        defer { theirs.stop(); pc.close() }
        let events = TransportTestCollector<PeerConnectionEvent>()
        let gate = SignalingGate()
        pc.setEventHandler { event in
            events.append(event)
            if case .iceCandidate(let c) = event {
                gate.send { theirs.send(AiortcMessage(type: "candidate", candidate: c.candidate, sdpMid: c.sdpMid,
                                                           sdpMLineIndex: c.sdpMLineIndex)) }
            } else if event == .iceGatheringComplete {
                gate.send { theirs.send(AiortcMessage(type: "candidate", candidate: "", sdpMid: "0", sdpMLineIndex: 0)) }
            }
        }
        let offer = try pc.createOffer()
        try pc.setLocalDescription(offer)
        gate.open { theirs.send(AiortcMessage(type: "offer", sdp: offer.sdp)) }
        let answer = try #require(theirs.first("answer")?.sdp)
        try pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: answer))
        try Self.exchangeMedia(pc, connected: events, theirs)
    }

    @Test func aiortcOffersWeAnswer() throws {
        let (a, v) = Self.tracks()
        let pc = try PeerConnection(configuration: PeerConnectionConfiguration(ice: .loopback, cname: "tuicall", audio: a, video: v))
        let theirs = try AiortcPeer(role: "offer", media: true)
        defer { theirs.stop(); pc.close() }
        let events = TransportTestCollector<PeerConnectionEvent>()
        let gate = SignalingGate()
        pc.setEventHandler { event in
            events.append(event)
            if case .iceCandidate(let c) = event {
                gate.send { theirs.send(AiortcMessage(type: "candidate", candidate: c.candidate, sdpMid: c.sdpMid,
                                                           sdpMLineIndex: c.sdpMLineIndex)) }
            }
        }
        let offer = try #require(theirs.first("offer")?.sdp)
        try pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: offer))
        let answer = try pc.createAnswer()
        try pc.setLocalDescription(answer)
        gate.open { theirs.send(AiortcMessage(type: "answer", sdp: answer.sdp)) }
        try Self.exchangeMedia(pc, connected: events, theirs)
    }
}
