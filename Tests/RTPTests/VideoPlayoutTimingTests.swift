@testable import RTP
import Testing

/// The video playout delay: a few ms on a clean path, enough for a NACK round trip on a lossy one.
@Suite struct VideoPlayoutTimingTests {
    static let frameNs: UInt64 = 33_333_333

    @Test func aCleanPathShowsFramesAsTheyComplete() {
        var timing = VideoPlayoutTiming()
        for i in 0..<300 {
            let arrival = 1_000 * rtpMs + UInt64(i) * Self.frameNs + UInt64(i % 3) * rtpMs   // ±1 ms
            let render = timing.renderTimeNs(rtpTimestamp: UInt32(i * 3000), arrivalNs: arrival)
            #expect(render <= arrival + 3 * rtpMs)
        }
        #expect(timing.delayNs <= 3 * Int64(rtpMs), "the ±1 ms spread (and 90 kHz rounding), no more")
    }

    /// A quarter of the frames waited 150 ms for a retransmission: the delay grows to cover them, so such a frame
    /// is shown at its regular time after the others instead of stalling the picture.
    @Test func framesLateByARetransmissionAreCoveredAndShownInStep() {
        var timing = VideoPlayoutTiming()
        var renders: [UInt64] = []
        for i in 0..<600 {
            let late: UInt64 = i % 4 == 0 ? 150 * rtpMs : UInt64(i % 5) * rtpMs
            let arrival = 1_000 * rtpMs + UInt64(i) * Self.frameNs + late
            renders.append(timing.renderTimeNs(rtpTimestamp: UInt32(i * 3000) &+ 0xFFFF_0000, arrivalNs: arrival))
        }
        #expect(timing.delayNs >= 150_000_000 && timing.delayNs <= 160_000_000, "\(timing.delayNs)")
        let gaps = zip(renders.suffix(100), renders.suffix(99)).map { Int64($1) - Int64($0) }
        #expect(gaps.allSatisfy { abs($0 - Int64(Self.frameNs)) < 6_000_000 }, "every frame in step (across the timestamp wrap)")
    }

    @Test func theDelayIsCappedAndAJumpStartsAgain() {
        var timing = VideoPlayoutTiming()
        for i in 0..<100 {
            let late: UInt64 = i % 2 == 0 ? 900 * rtpMs : 0
            _ = timing.renderTimeNs(rtpTimestamp: UInt32(i * 3000), arrivalNs: 1_000 * rtpMs + UInt64(i) * Self.frameNs + late)
        }
        #expect(timing.delayNs == VideoPlayoutTiming.maxDelayNs)
        // A new source whose timestamps start elsewhere: the old window no longer applies.
        let render = timing.renderTimeNs(rtpTimestamp: 5_000_000, arrivalNs: 10_000 * rtpMs)
        #expect(timing.delayNs == 0 && render == 10_000 * rtpMs)
    }
}
