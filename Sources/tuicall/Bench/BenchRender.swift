import ArgumentParser
import Benchmarks
import Capture
import Foundation
import Media
import Render

/// `tuicall bench render`: render speed and terminal bytes per frame for every mode and colour depth.
struct BenchRender: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Measure video-to-terminal rendering: ms, changed cells and terminal bytes per frame (JSON lines).")

    /// Default clip length and size when no --clip is given (the test pattern).
    static let defaultFrames = 300
    static let defaultWidth = 640, defaultHeight = 480

    @Option(help: "A .y4m clip to render (default: the test pattern, 300 frames 640x480).")
    var clip: String?

    @Option(help: "Frames to use at most.")
    var frames: Int = BenchRender.defaultFrames

    @Option(help: "Cell boxes as COLSxROWS, comma-separated (default: 80x24,160x48,240x70).")
    var boxes: String?

    @Option(help: "Only this mode: halfblock, quadrant, ascii-color, ascii.")
    var mode: String?

    @Option(help: "Only this colour depth: truecolor, 256, 256-dither, 16, mono.")
    var depth: String?

    @Option(help: "Largest per-channel change of a 24-bit colour that is not redrawn, and the largest difference at which a colour already set is reused.")
    var tolerance: Int = DamageTracker.defaultTolerance

    @Option(help: "Write the terminal output of the last configuration run to this file ('cat' it to watch).")
    var dump: String?

    func validate() throws {
        guard frames > 0 else { throw ValidationError("--frames must be at least 1") }
        guard tolerance >= 0 else { throw ValidationError("--tolerance must not be negative") }
        let modes = Set(RenderBenchmark.defaultConfigurations.map { RenderBenchmark.name($0.0) })
        let depths = Set(RenderBenchmark.defaultConfigurations.map { RenderBenchmark.name($0.1) })
        if let mode, !modes.contains(mode) {
            throw ValidationError("unknown mode '\(mode)'; use one of \(modes.sorted().joined(separator: ", "))")
        }
        if let depth, !depths.contains(depth) {
            throw ValidationError("unknown depth '\(depth)'; use one of \(depths.sorted().joined(separator: ", "))")
        }
    }

    func run() throws {
        let clipFrames = try loadFrames()
        let boxList = try parseBoxes()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for box in boxList {
            for (m, d) in RenderBenchmark.defaultConfigurations {
                if let mode, RenderBenchmark.name(m) != mode { continue }
                if let depth, RenderBenchmark.name(d) != depth { continue }
                var stream: [UInt8] = []
                var r = RenderBenchmark.run(frames: clipFrames, cols: box.cols, rows: box.rows, mode: m, depth: d, tolerance: tolerance,
                                            output: dump == nil ? nil : { stream.append(contentsOf: $0) })
                if let dump {
                    guard FileManager.default.createFile(atPath: dump, contents: Data(stream + Array("\u{1B}[0m\n".utf8))) else {
                        throw ValidationError("cannot write \(dump); check that its folder exists and is writable")
                    }
                }
                r.renderMsPerFrame = rounded(r.renderMsPerFrame, 4); r.damageMsPerFrame = rounded(r.damageMsPerFrame, 4)
                r.encodeMsPerFrame = rounded(r.encodeMsPerFrame, 4); r.totalMsPerFrame = rounded(r.totalMsPerFrame, 4)
                r.cellsChangedPerFrame = rounded(r.cellsChangedPerFrame, 1)
                r.bytesPerFrame = rounded(r.bytesPerFrame, 0); r.fullRedrawBytesPerFrame = rounded(r.fullRedrawBytesPerFrame, 0)
                print(String(decoding: try encoder.encode(BenchRenderLine(clip: clip ?? "testpattern", result: r)),
                             as: UTF8.self))
            }
        }
    }

    private func rounded(_ x: Double, _ places: Int) -> Double {
        let p = pow(10.0, Double(places)); return (x * p).rounded() / p
    }

    private func loadFrames() throws -> [VideoFrame] {
        guard let clip else {
            return (0..<frames).map {
                TestPattern.frame(width: Self.defaultWidth, height: Self.defaultHeight, counter: UInt32($0), timestampNs: 0)
            }
        }
        let reader = try Y4MReader(path: clip)
        var out: [VideoFrame] = []
        while out.count < frames, let f = try reader.readFrame() { out.append(f) }
        guard !out.isEmpty else { throw ValidationError("\(clip) holds no frames; give a .y4m clip with at least one frame") }
        return out
    }

    private func parseBoxes() throws -> [(cols: Int, rows: Int)] {
        guard let boxes else { return RenderBenchmark.defaultBoxes }
        return try boxes.split(separator: ",").map { item in
            guard let (cols, rows) = SizeOption.parse(item), cols > 0, rows > 0 else {
                throw ValidationError("box '\(item)' is not COLSxROWS, e.g. 160x48")
            }
            return (cols, rows)
        }
    }
}

/// One JSON line: the clip and the figures.
private struct BenchRenderLine: Encodable {
    var clip: String
    var result: RenderBenchResult
    func encode(to encoder: Encoder) throws {
        try result.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(clip, forKey: .clip)
    }
    enum Key: String, CodingKey { case clip }
}
