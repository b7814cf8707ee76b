#if canImport(Glibc)
import Glibc
#endif
import Testing
import Media
@testable import Capture

@Suite struct AudioSignalTests {
    @Test func resamplerIsIdentityAtEqualRates() {
        let x: [Int16] = [1, 2, 3, 4, 5, 6]
        #expect(Resampler(from: 48_000, to: 48_000, channels: 2).process(x) == x)
    }

    @Test func resamplingInChunksEqualsResamplingAtOnce() {
        let x = (0..<4410).map { Int16(10_000 * sin(Double($0) * 0.05)) }
        let whole = Resampler(from: 44_100, to: 48_000, channels: 1).process(x)
        let r = Resampler(from: 44_100, to: 48_000, channels: 1)
        var chunked: [Int16] = []
        for start in stride(from: 0, to: x.count, by: 441) { chunked += r.process(Array(x[start..<min(x.count, start + 441)])) }
        #expect(chunked == whole)
        #expect(abs(whole.count - 4800) <= 1)
    }

    @Test func upsamplingKeepsFrequencyAndLevel() {
        let x = (0..<16_000).map { Int16(8000 * sin(2 * Double.pi * 1000 * Double($0) / 16_000)) }
        let y = Resampler(from: 16_000, to: 48_000, channels: 1).process(x)
        #expect(abs(y.count - 48_000) <= 3)
        let crossings = zip(y, y.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        #expect(abs(crossings - 1000) <= 2)
        #expect(y.max()! > 7600 && y.max()! <= 8000)
    }

    @Test func framerCutsExact20msFrames() {
        var framer = AudioFramer(channels: 2)
        #expect(framer.append([Int16](repeating: 1, count: 1000), timestampNs: 5).isEmpty)
        let frames = framer.append([Int16](repeating: 2, count: 3000), timestampNs: 9)
        #expect(frames.count == 2 && frames.allSatisfy { $0.samples.count == 1920 && $0.timestampNs == 9 })
        #expect(frames[0].samples.prefix(1000).allSatisfy { $0 == 1 } && frames[0].samples[1000] == 2)
    }

    @Test func channelMixerConverts() {
        #expect(ChannelMixer.convert([1, 2], from: 1, to: 2) == [1, 1, 2, 2])
        #expect(ChannelMixer.convert([10, 20, -4, 4], from: 2, to: 1) == [15, 0])
        #expect(ChannelMixer.convert([1, 2, 3, 4, 5, 6], from: 3, to: 2) == [1, 2, 4, 5])
    }

    @Test func markersAreFoundWhereTheToneHasThem() {
        let samples = (0..<(48_000 * 3 + 5000)).map { ToneSignal.sample($0) }
        let markers = ToneSignal.findMarkers(in: samples)
        #expect(markers.count == 4)
        for (i, m) in markers.enumerated() { #expect(abs(m - i * 48_000) <= 96, "marker \(i) at \(m)") }
    }

    @Test func markersSurviveResamplingNoiseAndDelay() {
        // 16 kHz round trip (a camera microphone), a 12345-sample delay, and noise at -30 dB.
        let delay = 12_345
        let clean = [Int16](repeating: 0, count: delay) + (0..<(48_000 * 2 + 2000)).map { ToneSignal.sample($0) }
        let down = Resampler(from: 48_000, to: 16_000, channels: 1).process(clean)
        let back = Resampler(from: 16_000, to: 48_000, channels: 1).process(down)
        var seed: UInt64 = 7
        let noisy = back.map { s -> Int16 in
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int16(clamping: Int(s) + Int((seed >> 33) % 521) - 260)
        }
        let markers = ToneSignal.findMarkers(in: noisy)
        #expect(markers.count == 3)
        for (i, m) in markers.enumerated() { #expect(abs(m - (delay + i * 48_000)) <= 96, "marker \(i) at \(m)") }
    }

    @Test func plainToneAndSilenceHaveNoMarkers() {
        let tone = (0..<48_000).map { Int16(8000 * sin(2 * Double.pi * 440 * Double($0) / 48_000)) }
        #expect(ToneSignal.findMarkers(in: tone).isEmpty)
        #expect(ToneSignal.findMarkers(in: [Int16](repeating: 0, count: 48_000)).isEmpty)
    }
}
