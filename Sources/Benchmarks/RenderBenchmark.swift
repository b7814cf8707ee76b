import Media
import Render

/// Figures of one render configuration over a clip.
package struct RenderBenchResult: Sendable, Codable, Equatable {
    package var cols: Int
    package var rows: Int
    package var mode: String
    package var depth: String
    package var frames: Int
    /// Scaling, colour conversion and cell building.
    package var renderMsPerFrame: Double
    /// Comparing with what is shown.
    package var damageMsPerFrame: Double
    /// Escape sequences for the changed cells.
    package var encodeMsPerFrame: Double
    package var totalMsPerFrame: Double
    package var cellsChangedPerFrame: Double
    /// Bytes the terminal receives per frame when only changed cells are drawn.
    package var bytesPerFrame: Double
    /// Bytes per frame when every cell of every frame is drawn.
    package var fullRedrawBytesPerFrame: Double
}

/// Measures rendering, damage and terminal output over a sequence of frames.
package enum RenderBenchmark {
    /// Default cell boxes: a classic terminal, a large one, a full-screen one.
    package static let defaultBoxes: [(cols: Int, rows: Int)] = [(80, 24), (160, 48), (240, 70)]
    /// Default configurations: every mode with every colour depth (ASCII in mono is uncoloured).
    package static let defaultConfigurations: [(RenderMode, ColorDepth)] = {
        let depths: [ColorDepth] = [.trueColor, .palette256(dither: false), .palette256(dither: true), .palette16, .mono]
        var out: [(RenderMode, ColorDepth)] = []
        for mode in [RenderMode.halfBlock, .quadrant, .ascii(colored: true)] {
            for d in depths { out.append((d == .mono && mode == .ascii(colored: true)) ? (.ascii(colored: false), d) : (mode, d)) }
        }
        return out
    }()

    /// Short names used in the JSON output.
    package static func name(_ m: RenderMode) -> String {
        switch m {
        case .halfBlock: "halfblock"
        case .quadrant: "quadrant"
        case .ascii(let colored): colored ? "ascii-color" : "ascii"
        }
    }
    package static func name(_ d: ColorDepth) -> String {
        switch d {
        case .trueColor: "truecolor"
        case .palette256(let dither): dither ? "256-dither" : "256"
        case .palette16: "16"
        case .mono: "mono"
        }
    }

    /// Renders every frame into a `cols × rows` box, tracks damage and encodes the changed cells
    /// (and, separately, full redraws), timing each stage with the monotonic clock. `output`, when
    /// given, receives each frame's escape sequences (outside the timed part).
    package static func run(frames: [VideoFrame], cols: Int, rows: Int, mode: RenderMode, depth: ColorDepth,
                           tolerance: Int = DamageTracker.defaultTolerance,
                           output: ((UnsafeRawBufferPointer) -> Void)? = nil) -> RenderBenchResult {
        let renderer = FrameRenderer(options: RenderOptions(mode: mode, depth: depth))
        let tol = depth == .trueColor ? tolerance : 0
        let damage = DamageTracker(tolerance: tol)
        let encoder = TerminalEncoder(reuseTolerance: tol), full = TerminalEncoder()
        var grid = CellGrid(cols: cols, rows: rows)
        var renderNs: UInt64 = 0, damageNs: UInt64 = 0, encodeNs: UInt64 = 0
        var changed = 0, bytes = 0, fullBytes = 0
        for f in frames {
            let t0 = MonotonicClock.now()
            renderer.render(f, cols: cols, rows: rows, into: &grid)
            let t1 = MonotonicClock.now()
            changed += damage.update(with: grid)
            let t2 = MonotonicClock.now()
            encoder.clearOutput()
            encoder.encode(damage)
            let t3 = MonotonicClock.now()
            renderNs += t1 - t0; damageNs += t2 - t1; encodeNs += t3 - t2
            bytes += encoder.byteCount
            if let output { encoder.withBytes(output) }
            full.clearOutput()
            full.encodeAll(grid)
            fullBytes += full.byteCount
        }
        let n = Double(max(1, frames.count))
        func ms(_ ns: UInt64) -> Double { Double(ns) / 1e6 / n }
        return RenderBenchResult(cols: cols, rows: rows, mode: name(mode), depth: name(depth), frames: frames.count,
                                 renderMsPerFrame: ms(renderNs), damageMsPerFrame: ms(damageNs),
                                 encodeMsPerFrame: ms(encodeNs), totalMsPerFrame: ms(renderNs + damageNs + encodeNs),
                                 cellsChangedPerFrame: Double(changed) / n, bytesPerFrame: Double(bytes) / n,
                                 fullRedrawBytesPerFrame: Double(fullBytes) / n)
    }
}
