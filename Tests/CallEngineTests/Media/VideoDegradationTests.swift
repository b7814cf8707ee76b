@testable import CallEngine
import Capture
import Media
import Testing

/// Balanced degradation: the steps a falling and a recovering target walk, and the pictures they make.
struct VideoDegradationTests {
    let s: UInt64 = 1_000_000_000

    @Test func aFallingTargetStepsDownHeldAndARecoveredOneStepsBackUp() {
        var d = VideoDegradation()
        #expect(d.update(targetBitrate: 500_000, nowNs: 0) == VideoDegradation.steps[0])
        #expect(d.update(targetBitrate: 100_000, nowNs: 1 * s).divisor == 2, "320x240 below 250 kbit/s")
        #expect(d.update(targetBitrate: 100_000, nowNs: 1 * s + s / 2).divisor == 2, "held 1 s")
        #expect(d.update(targetBitrate: 100_000, nowNs: 2 * s).divisor == 4, "160x120 below 130 kbit/s")
        let bottom = d.update(targetBitrate: 100_000, nowNs: 3 * s)
        #expect(bottom.divisor == 4 && (0..<30).filter(bottom.encodes(frame:)).count == 20, "20 of 30 fps below 110")
        #expect(d.update(targetBitrate: 140_000, nowNs: 9 * s).of == 3, "up needs 30 % above 110 kbit/s")
        #expect(d.update(targetBitrate: 150_000, nowNs: 9 * s).of == 1)
        #expect(d.update(targetBitrate: 1_000_000, nowNs: 12 * s).divisor == 4, "up is held 5 s")
        #expect(d.update(targetBitrate: 1_000_000, nowNs: 14 * s).divisor == 2)
        #expect(d.update(targetBitrate: 1_000_000, nowNs: 19 * s).divisor == 1)
        #expect(VideoDegradation.divisor(VideoDegradation.steps[2], width: 320) == 2, "never below 160 wide")
        #expect(VideoDegradation.divisor(VideoDegradation.steps[2], width: 160) == 1)
    }

    @Test func aDownscaledTestPatternStillDecodes() throws {
        let frame = TestPattern.frame(width: 640, height: 480, counter: 1234, timestampNs: 5)
        let half = frame.downscaled(by: 2), quarter = frame.downscaled(by: 4)
        #expect((half.width, half.height, quarter.width, quarter.height) == (320, 240, 160, 120))
        #expect(half.u.count == 160 * 120 && quarter.timestampNs == 5)
        #expect(TestPattern.decode(half)?.frameCounter == 1234 && TestPattern.decode(quarter)?.frameCounter == 1234)
        let grey = VideoFrame(width: 5, height: 3, fillY: 77, fillU: 1, fillV: 250).downscaled(by: 2)
        #expect(grey.width == 2 && grey.height == 1 && grey.y == [77, 77] && grey.u == [1] && grey.v == [250])
    }
}
