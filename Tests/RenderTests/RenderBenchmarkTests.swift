import Testing
import Media
import Capture
import Benchmarks
@testable import Render

@Suite struct RenderBenchmarkTests {
    @Test func stillVideoCostsOnlyTheFirstFrame() {
        let frame = Pictures.photo(width: 160, height: 120)
        let frames = Array(repeating: frame, count: 5)
        var stream: [UInt8] = []
        let r = RenderBenchmark.run(frames: frames, cols: 40, rows: 12, mode: .halfBlock, depth: .trueColor,
                                    output: { stream.append(contentsOf: $0) })
        #expect(r.frames == 5 && r.cols == 40 && r.rows == 12 && r.mode == "halfblock" && r.depth == "truecolor")
        #expect(r.cellsChangedPerFrame == Double(40 * 12) / 5)
        #expect(r.bytesPerFrame == Double(stream.count) / 5)
        // Every frame redrawn in full costs about five times the one real drawing.
        #expect(r.fullRedrawBytesPerFrame > 4 * r.bytesPerFrame)
        // The stream shows the picture, within the damage tolerance (doubled where contrast masks it).
        var screen = TerminalScreen(cols: 40, rows: 12)
        screen.feed(stream)
        #expect(screen.errors.isEmpty)
        let grid = FrameRenderer().render(frame, cols: 40, rows: 12)
        var worst = 0
        for row in 0..<12 {
            for col in 0..<40 {
                for (a, b) in zip(screen.look(col: col, row: row), TerminalScreen.look(grid[col, row])) {
                    for s in [16, 8, 0] { worst = max(worst, abs((a >> s & 0xFF) - (b >> s & 0xFF))) }
                }
            }
        }
        #expect(worst <= 2 * DamageTracker.defaultTolerance)
    }

    @Test func movingPictureReportsChangesAndTimings() {
        let frames = (0..<10).map { TestPattern.frame(width: 320, height: 240, counter: UInt32($0), timestampNs: 0) }
        let r = RenderBenchmark.run(frames: frames, cols: 80, rows: 24, mode: .quadrant, depth: .palette256(dither: true))
        #expect(r.depth == "256-dither" && r.mode == "quadrant")
        #expect(r.cellsChangedPerFrame > 0 && r.cellsChangedPerFrame < Double(80 * 24))
        #expect(r.renderMsPerFrame > 0 && r.totalMsPerFrame >= r.renderMsPerFrame)
        #expect(r.fullRedrawBytesPerFrame > r.bytesPerFrame)
    }

    @Test func defaultConfigurationsCoverEveryModeAndDepth() {
        let names = Set(RenderBenchmark.defaultConfigurations.map { RenderBenchmark.name($0.0) + "/" + RenderBenchmark.name($0.1) })
        #expect(names.count == 15)
        #expect(names.contains("halfblock/truecolor") && names.contains("quadrant/256-dither") && names.contains("ascii/mono"))
    }
}
