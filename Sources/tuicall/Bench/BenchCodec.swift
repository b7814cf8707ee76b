import ArgumentParser
import Benchmarks
import Capture
import Codecs
import Foundation
import Media

/// `tuicall bench codec`: VP8 encode/decode ms per frame and Opus µs per 20 ms frame, as JSON lines.
struct BenchCodec: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Measure VP8 (test pattern, clean and with camera-like noise) and Opus speed.")

    @Option(help: "Video frames per run (30 per second of video).")
    var frames = 300
    @Option(help: "Video width.")
    var width = 640
    @Option(help: "Video height.")
    var height = 480
    @Option(help: "VP8 target bitrate in bits per second.")
    var bitrate = 1_000_000
    @Option(parsing: .unconditional, help: "libvpx cpu-used (negative: fixed speed, e.g. -6).")
    var cpuUsed = VP8EncoderSettings.defaultCpuUsed
    @Option(help: "VP8 encoder threads.")
    var threads = VP8EncoderSettings.defaultThreads
    @Option(help: "Luma noise amplitude for the noisy run (0 skips it).")
    var noise = 6
    @Option(help: "Opus frames (50 per second of audio).")
    var opusFrames = 1500

    func run() throws {
        let settings = VP8EncoderSettings(bitrate: bitrate, cpuUsed: cpuUsed, threads: threads)
        let (w, h) = (width, height)
        // Pictures are drawn ahead so their cost stays out of the timings.
        let clean = (0..<frames).map {
            TestPattern.frame(width: w, height: h, counter: UInt32($0), timestampNs: UInt64($0) * 33_333_333)
        }
        try emit(CodecBenchmark.vp8(frames: frames, settings: settings, content: "test pattern") { clean[$0] })
        if noise > 0 {
            let noisy = clean.enumerated().map {
                CodecBenchmark.addingNoise(to: $0.element, amplitude: noise, seed: UInt64($0.offset))
            }
            try emit(CodecBenchmark.vp8(frames: frames, settings: settings,
                                        content: "test pattern + noise ±\(noise)") { noisy[$0] })
        }
        for channels in [1, 2] {
            try emit(CodecBenchmark.opus(frames: opusFrames, settings: OpusEncoderSettings(channels: channels)))
        }
    }

    private func emit<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let kind = T.self == VP8BenchmarkResult.self ? "vp8" : "opus"
        var line = String(decoding: try encoder.encode(value), as: UTF8.self)
        line.insert(contentsOf: "\"codec\":\"\(kind)\",", at: line.index(after: line.startIndex))
        print(line)
    }
}
