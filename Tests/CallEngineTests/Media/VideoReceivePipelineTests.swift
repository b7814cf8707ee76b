@testable import CallEngine
import Capture
import Codecs
import Foundation
import Media
import RTP
import Testing
import WebRTCTransport

/// The receive pipeline from packets to shown frames, with a real VP8 encoder and decoder.
struct VideoReceivePipelineTests {
    /// A packet retransmitted late holds up the frames after it; when it comes they are all complete at once.
    /// Every one of them must be decoded and shown: dropping one would cost a keyframe (another freeze).
    @Test func framesHeldUpByALatePacketAreAllShownWithoutAKeyframe() async throws {
        let encoder = VP8Encoder()
        var packetizer = VP8Packetizer(initialPictureId: 10)
        var packets: [RtpPacket] = []
        var seq: UInt16 = 1000
        let frames = 40
        for i in 0..<frames {
            let picture = TestPattern.frame(width: 320, height: 240, counter: UInt32(i), timestampNs: UInt64(i) * 33_333_333)
            guard let encoded = try encoder.encode(picture) else { continue }
            let payloads = packetizer.packetize(frame: encoded.data, isKeyframe: encoded.isKeyframe)
            for (n, payload) in payloads.enumerated() {
                packets.append(RtpPacket(payloadType: 96, sequenceNumber: seq, timestamp: UInt32(i) * 3000, ssrc: 7,
                                         marker: n == payloads.count - 1, payload: payload))
                seq &+= 1
            }
        }
        // The first packet of the second frame comes last, after all the others.
        let secondFrame = packets.firstIndex { $0.timestamp == 3000 }!
        let late = packets.remove(at: secondFrame)
        packets.append(late)

        let loop = NetworkLoop(name: "video-pipeline-test")
        defer { loop.stop() }
        let sinks = SinkSet<any VideoSink>()
        let sink = StampCollectingSink()
        sinks.add(sink)
        let pipeline = VideoReceivePipeline(mid: "0", sinks: sinks, loop: loop)
        let statistics = InboundStatistics(mid: "0", kind: "video")
        try pipeline.start(statistics: statistics)
        defer { pipeline.stop() }
        let arriving = packets
        let completed = loop.sync { arriving.map { pipeline.insert($0, nowNs: MonotonicClock.now()).count } }
        #expect(completed.last ?? 0 >= frames - 2, "the late packet completes the held-up frames at once")
        let deadline = Date().addingTimeInterval(5)
        while sink.all.count < frames, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(sink.all.compactMap(\.counter) == Array(0..<UInt32(frames)), "every frame shown, in order")
        #expect(statistics.state.withLock { $0.stats.framesDropped } == 0)
        #expect(loop.sync { pipeline.needsKeyframe } == false)
    }
}
