#if canImport(Glibc)
import Glibc
#endif
import Codecs
import Media

/// VP8 speed and quality over a run of frames; times are per frame, in milliseconds.
package struct VP8BenchmarkResult: Sendable, Codable, Equatable {
    package var content: String
    package var width: Int
    package var height: Int
    package var targetKbps: Int
    package var cpuUsed: Int
    package var threads: Int
    package var frames: Int
    /// Frames rate control dropped (not encoded, not decoded).
    package var droppedFrames: Int
    package var encodeMsMean: Double
    package var encodeMsP95: Double
    package var decodeMsMean: Double
    package var decodeMsP95: Double
    /// Bitrate actually produced, assuming 30 frames per second.
    package var actualKbps: Double
    package var meanLumaPSNR: Double
}

/// Opus speed per 20 ms frame, in microseconds.
package struct OpusBenchmarkResult: Sendable, Codable, Equatable {
    package var channels: Int
    package var bitrate: Int
    package var complexity: Int
    package var frames: Int
    package var encodeUsMean: Double
    package var decodeUsMean: Double
    package var encodeDecodeUsMean: Double
    package var meanPacketBytes: Double
}

/// Measuring logic behind `tuicall bench codec`, kept here so tests can run it small.
package enum CodecBenchmark {
    /// Frame rate the VP8 bitrate figure assumes.
    package static let nominalFrameRate = 30.0

    /// Encodes `frames` pictures from `source` (called outside the timed sections) and decodes them.
    package static func vp8(frames: Int, settings: VP8EncoderSettings, content: String,
                           source: (Int) -> VideoFrame) throws -> VP8BenchmarkResult {
        let encoder = VP8Encoder(settings: settings)
        let decoder = try VP8Decoder()
        var encodeNs = [UInt64](), decodeNs = [UInt64]()
        var bytes = 0, dropped = 0, psnrSum = 0.0, psnrCount = 0
        var width = 0, height = 0
        for i in 0..<frames {
            let frame = source(i)
            width = frame.width; height = frame.height
            let t0 = MonotonicClock.now()
            let encoded = try encoder.encode(frame)
            let t1 = MonotonicClock.now()
            encodeNs.append(t1 - t0)
            guard let encoded else { dropped += 1; continue }
            bytes += encoded.data.count
            let t2 = MonotonicClock.now()
            let result = try decoder.decode(encoded.data)
            decodeNs.append(MonotonicClock.now() - t2)
            if case .frame(let picture) = result, let p = VideoQuality.lumaPSNR(frame, picture) {
                psnrSum += p; psnrCount += 1
            }
        }
        return VP8BenchmarkResult(
            content: content, width: width, height: height, targetKbps: settings.bitrate / 1000,
            cpuUsed: settings.cpuUsed, threads: settings.threads, frames: frames, droppedFrames: dropped,
            encodeMsMean: mean(encodeNs) / 1e6, encodeMsP95: percentile(encodeNs, 0.95) / 1e6,
            decodeMsMean: mean(decodeNs) / 1e6, decodeMsP95: percentile(decodeNs, 0.95) / 1e6,
            actualKbps: Double(bytes * 8) / (Double(max(frames, 1)) / nominalFrameRate) / 1000,
            meanLumaPSNR: psnrCount > 0 ? psnrSum / Double(psnrCount) : 0)
    }

    /// Encodes and decodes `frames` 20 ms frames of a voice-like signal (harmonics on a gliding pitch).
    package static func opus(frames: Int, settings: OpusEncoderSettings = OpusEncoderSettings()) throws
        -> OpusBenchmarkResult {
        let encoder = try OpusAudioEncoder(settings: settings)
        let decoder = try OpusAudioDecoder(channels: settings.channels)
        let input = voiceLike(frames: frames, channels: settings.channels)
        var encodeNs = [UInt64](), decodeNs = [UInt64](), bytes = 0
        for frame in input {
            let t0 = MonotonicClock.now()
            let packet = try encoder.encode(frame)
            let t1 = MonotonicClock.now()
            _ = try decoder.decode(packet)
            decodeNs.append(MonotonicClock.now() - t1)
            encodeNs.append(t1 - t0)
            bytes += packet.count
        }
        let enc = mean(encodeNs) / 1e3, dec = mean(decodeNs) / 1e3
        return OpusBenchmarkResult(channels: settings.channels, bitrate: settings.bitrate,
                                   complexity: settings.complexity, frames: frames,
                                   encodeUsMean: enc, decodeUsMean: dec, encodeDecodeUsMean: enc + dec,
                                   meanPacketBytes: Double(bytes) / Double(max(frames, 1)))
    }

    /// A copy of `frame` with deterministic luma noise of ±`amplitude`, like camera sensor grain:
    /// clean synthetic pictures compress far more easily than real video.
    package static func addingNoise(to frame: VideoFrame, amplitude: Int, seed: UInt64) -> VideoFrame {
        var f = frame
        var state = seed &* 0x9E3779B97F4A7C15 | 1
        let span = UInt64(2 * amplitude + 1)
        for i in f.y.indices {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            let n = Int(state % span) - amplitude
            f.y[i] = UInt8(clamping: Int(f.y[i]) + n)
        }
        return f
    }

    private static func voiceLike(frames: Int, channels: Int) -> [AudioFrame] {
        var out = [AudioFrame](), phase = 0.0
        for i in 0..<frames {
            var samples = [Int16](repeating: 0, count: AudioFrame.samplesPerChannel * channels)
            for s in 0..<AudioFrame.samplesPerChannel {
                let t = Double(i * AudioFrame.samplesPerChannel + s) / Double(AudioFrame.sampleRate)
                let pitch = 140 + 40 * sin(2 * Double.pi * 0.7 * t)
                phase += 2 * Double.pi * pitch / Double(AudioFrame.sampleRate)
                var v = 0.0
                for h in 1...8 { v += sin(Double(h) * phase) / Double(h) }
                let envelope = 0.5 + 0.5 * sin(2 * Double.pi * 3 * t)
                let sample = Int16(clamping: Int(3000 * v * envelope))
                for c in 0..<channels { samples[s * channels + c] = sample }
            }
            out.append(AudioFrame(channels: channels, samples: samples, timestampNs: 0))
        }
        return out
    }

    private static func mean(_ ns: [UInt64]) -> Double {
        ns.isEmpty ? 0 : Double(ns.reduce(0, +)) / Double(ns.count)
    }

    private static func percentile(_ ns: [UInt64], _ p: Double) -> Double {
        Percentiles.nearestRank(sorted: ns.sorted(), p).map { Double($0) } ?? 0
    }
}
