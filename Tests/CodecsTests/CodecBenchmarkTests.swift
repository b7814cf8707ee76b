import Capture
import Benchmarks
import Codecs
import Media
import Testing

/// Runs the benchmark small: checks it measures what it claims, never how fast (no timed tests).
@Suite struct CodecBenchmarkTests {
    @Test func vp8BenchmarkReportsEveryFrameAndQuality() throws {
        let result = try CodecBenchmark.vp8(frames: 10, settings: VP8EncoderSettings(bitrate: 600_000),
                                            content: "pattern") {
            TestPattern.frame(width: 320, height: 240, counter: UInt32($0), timestampNs: UInt64($0) * 33_333_333)
        }
        #expect(result.frames == 10 && result.width == 320 && result.height == 240 && result.targetKbps == 600)
        #expect(result.droppedFrames == 0)
        #expect(result.encodeMsMean > 0 && result.decodeMsMean > 0 && result.encodeMsP95 >= result.encodeMsMean / 10)
        #expect(result.meanLumaPSNR >= 30)
        #expect(result.actualKbps > 10 && result.actualKbps < 2_000)
    }

    @Test func noiseChangesPixelsWithinItsAmplitude() {
        let clean = VideoFrame(width: 64, height: 48, fillY: 128)
        let noisy = CodecBenchmark.addingNoise(to: clean, amplitude: 6, seed: 1)
        let deltas = zip(clean.y, noisy.y).map { Int($1) - Int($0) }
        #expect(deltas.allSatisfy { abs($0) <= 6 })
        #expect(Set(deltas).count > 5, "noise should take many values")
        #expect(noisy.u == clean.u && noisy.v == clean.v)
        #expect(CodecBenchmark.addingNoise(to: clean, amplitude: 6, seed: 1) == noisy)
    }

    @Test func opusBenchmarkProducesPackets() throws {
        let result = try CodecBenchmark.opus(frames: 20, settings: OpusEncoderSettings(channels: 2))
        #expect(result.frames == 20 && result.channels == 2 && result.bitrate == 64_000)
        #expect(result.encodeUsMean > 0 && result.decodeUsMean > 0)
        #expect(result.encodeDecodeUsMean == result.encodeUsMean + result.decodeUsMean)
        // 64 kbit/s is 160 bytes per 20 ms; VBR stays in that neighbourhood.
        #expect(result.meanPacketBytes > 40 && result.meanPacketBytes < 400)
    }
}
