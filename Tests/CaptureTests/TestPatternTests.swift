import Testing
import Media
@testable import Capture

/// Degradations that stand in for VP8 + scaling + terminal rendering.
enum Degrade {
    /// Area-average downscale of the luma plane (chroma nearest), like a video scaler.
    static func boxDownscale(_ f: VideoFrame, width: Int, height: Int) -> VideoFrame {
        var out = FrameScaler.scale(f, width: width, height: height)
        for row in 0..<height {
            let y0 = row * f.height / height, y1 = max(y0 + 1, (row + 1) * f.height / height)
            for x in 0..<width {
                let x0 = x * f.width / width, x1 = max(x0 + 1, (x + 1) * f.width / width)
                var sum = 0
                for sy in y0..<y1 { for sx in x0..<x1 { sum += Int(f.y[sy * f.strideY + sx]) } }
                out.y[row * width + x] = UInt8(sum / ((y1 - y0) * (x1 - x0)))
            }
        }
        return out
    }

    /// A 3x3 [1 2 1] blur of the luma plane.
    static func blur(_ f: VideoFrame) -> VideoFrame {
        var out = f
        let k = [1, 2, 1]
        for row in 0..<f.height {
            for x in 0..<f.width {
                var sum = 0, wsum = 0
                for dy in -1...1 {
                    for dx in -1...1 {
                        let yy = min(f.height - 1, max(0, row + dy)), xx = min(f.width - 1, max(0, x + dx))
                        let w = k[dy + 1] * k[dx + 1]
                        sum += w * Int(f.y[yy * f.strideY + xx]); wsum += w
                    }
                }
                out.y[row * f.strideY + x] = UInt8(sum / wsum)
            }
        }
        return out
    }

    /// Adds deterministic pseudo-random noise of +-amplitude to every luma sample.
    static func noise(_ f: VideoFrame, amplitude: Int, seed: UInt64 = 0x9E3779B97F4A7C15) -> VideoFrame {
        var out = f
        var s = seed
        for i in 0..<out.y.count {
            s = s &* 6364136223846793005 &+ 1442695040888963407
            let n = Int((s >> 33) % UInt64(2 * amplitude + 1)) - amplitude
            out.y[i] = UInt8(min(255, max(0, Int(out.y[i]) + n)))
        }
        return out
    }

    /// Quantises luma to `levels` steps, like a coarse colour palette.
    static func quantise(_ f: VideoFrame, levels: Int) -> VideoFrame {
        var out = f
        let step = 256 / levels
        for i in 0..<out.y.count { out.y[i] = UInt8(min(255, Int(out.y[i]) / step * step + step / 2)) }
        return out
    }
}

@Suite struct TestPatternTests {
    let ts: UInt64 = 123_456_789_012_345

    @Test(arguments: [(640, 480), (1280, 720), (320, 240), (160, 120), (64, 48), (80, 48), (17, 19), (1921, 1081)])
    func decodesFromRawFrameAtAnySize(size: (Int, Int)) {
        let f = TestPattern.frame(width: size.0, height: size.1, counter: 0xDEAD_BEEF, timestampNs: ts)
        #expect(f.width == size.0 && f.height == size.1)
        let stamp = TestPattern.decode(f, referenceNs: ts)
        #expect(stamp == TestPatternStamp(frameCounter: 0xDEAD_BEEF, timestampNs: ts))
    }

    @Test(arguments: [(160, 120), (80, 60), (64, 48), (80, 48)])
    func decodesAfterDownscaleBlurAndNoise(target: (Int, Int)) {
        for counter: UInt32 in [0, 1, 29, 0xFFFF_FFFF, 123_456] {
            let t = ts &+ UInt64(counter) * 33_333_333
            let f = TestPattern.frame(width: 640, height: 480, counter: counter, timestampNs: t)
            let degraded = Degrade.noise(Degrade.blur(Degrade.boxDownscale(f, width: target.0, height: target.1)),
                                         amplitude: 25)
            let stamp = TestPattern.decode(degraded, referenceNs: t &+ 2_000_000_000)
            #expect(stamp == TestPatternStamp(frameCounter: counter, timestampNs: t), "counter \(counter) at \(target)")
        }
    }

    @Test func decodesAfterCoarseQuantisationAndUpscale() {
        // A half-block terminal: 64x48 cells with a coarse palette, read back at the window's size.
        let f = TestPattern.frame(width: 640, height: 480, counter: 77, timestampNs: ts)
        let cells = Degrade.quantise(Degrade.boxDownscale(f, width: 64, height: 48), levels: 6)
        let shown = FrameScaler.scale(cells, width: 640, height: 480)
        #expect(TestPattern.decode(shown, referenceNs: ts)?.frameCounter == 77)
    }

    @Test func reportsNotFoundOnOtherPictures() {
        #expect(TestPattern.decode(VideoFrame(width: 640, height: 480, fillY: 128)) == nil)
        #expect(TestPattern.decode(VideoFrame(width: 8, height: 8)) == nil)
        // Noise alone never passes the sync row and CRC.
        for seed: UInt64 in 1...50 {
            let noisy = Degrade.noise(VideoFrame(width: 160, height: 120, fillY: 128), amplitude: 127, seed: seed)
            #expect(TestPattern.decode(noisy) == nil)
        }
    }

    @Test func reportsNotFoundWhenADataBlockIsFlipped() {
        var f = TestPattern.frame(width: 160, height: 120, counter: 5, timestampNs: ts)
        // Invert the block at row 3, column 7 of the code band.
        let rows = (120 * 12 / 16)..<(120 * 13 / 16), xs = (160 * 7 / 16)..<(160 * 8 / 16)
        for r in rows { for x in xs { f.y[r * f.strideY + x] = f.y[r * f.strideY + x] > 128 ? 16 : 235 } }
        #expect(TestPattern.decode(f, referenceNs: ts) == nil)
    }

    @Test func timestampHighBitsComeFromTheReference() {
        let t: UInt64 = (5 << 48) | 0xFFFF_FFFF_FF00
        let f = TestPattern.frame(width: 160, height: 120, counter: 1, timestampNs: t)
        // The reference is just past a 48-bit wrap: the stamp still resolves to the earlier time.
        #expect(TestPattern.decode(f, referenceNs: (6 << 48) | 0x10)?.timestampNs == t)
        #expect(TestPattern.decode(f, referenceNs: t - 1_000_000)?.timestampNs == t)
        #expect(TestPattern.restore(low: 5, near: 0) == 5)
    }

    @Test func pictureMovesBetweenFrames() {
        let a = TestPattern.frame(width: 320, height: 240, counter: 10, timestampNs: 0)
        let b = TestPattern.frame(width: 320, height: 240, counter: 11, timestampNs: 0)
        let top = 320 * 240 * 9 / 16
        let changed = zip(a.y[0..<top], b.y[0..<top]).filter { $0 != $1 }.count
        #expect(changed > top / 100)
        // And it is colourful: chroma differs from grey in the picture area.
        #expect(a.u.contains { $0 < 100 } && a.v.contains { $0 > 180 })
    }
}
