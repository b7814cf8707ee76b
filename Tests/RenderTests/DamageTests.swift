import Testing
import Media
@testable import Render

@Suite struct DamageTests {
    /// A grey frame with a white square at (`x`, `y`).
    static func square(x: Int, y: Int, luma: UInt8 = 126) -> VideoFrame {
        var f = Pictures.solid(width: 64, height: 48, y: luma, u: 128, v: 128)
        for r in y..<(y + 8) { for c in x..<(x + 8) { f.y[r * 64 + c] = 235 } }
        return f
    }

    @Test func firstUpdateReportsEveryCell() {
        let d = DamageTracker()
        #expect(d.update(with: FrameRenderer().render(Self.square(x: 0, y: 0), cols: 32, rows: 12)) == 32 * 12)
        #expect(d.changed == (0..<Int32(32 * 12)).map { $0 })
    }

    @Test func movedSquareReportsExactlyTheCellsThatChanged() {
        let r = FrameRenderer()
        let a = r.render(Self.square(x: 8, y: 8), cols: 32, rows: 12)
        let b = r.render(Self.square(x: 16, y: 8), cols: 32, rows: 12)
        let d = DamageTracker(tolerance: 0)
        d.update(with: a)
        d.update(with: b)
        let expected = (0..<Int32(a.cells.count)).filter { a.cells[Int($0)] != b.cells[Int($0)] }
        // The square leaves columns 4..<8 and enters 8..<12, in rows 2..<4: 16 cells.
        #expect(expected.count == 16)
        #expect(d.changed == expected)
        #expect(d.shown == b)
    }

    @Test func tinyChangesAreIgnoredOnlyWithinTheTolerance() {
        let r = FrameRenderer()
        let base = r.render(Self.square(x: 8, y: 8, luma: 126), cols: 32, rows: 12)
        let tiny = r.render(Self.square(x: 8, y: 8, luma: 128), cols: 32, rows: 12)   // +2 in RGB
        let big = r.render(Self.square(x: 8, y: 8, luma: 132), cols: 32, rows: 12)    // +7 in RGB
        let tolerant = DamageTracker(tolerance: 4), exact = DamageTracker(tolerance: 0)
        tolerant.update(with: base); exact.update(with: base)
        #expect(tolerant.update(with: tiny) == 0)
        #expect(exact.update(with: tiny) == 32 * 12 - 8)  // all grey cells; the 4×2-cell square is unchanged
        #expect(tolerant.update(with: big) == 32 * 12 - 8)
    }

    @Test func slowDriftIsReportedOnceItExceedsTheTolerance() {
        // Compared with what is shown, not with the previous frame: +1 luma per frame adds up.
        let r = FrameRenderer()
        let d = DamageTracker(tolerance: 4)
        d.update(with: r.render(Self.square(x: 0, y: 0, luma: 100), cols: 32, rows: 12))
        var reports: [Int] = []
        for step in 1...6 {
            reports.append(d.update(with: r.render(Self.square(x: 0, y: 0, luma: UInt8(100 + step)), cols: 32, rows: 12)))
        }
        // Grey 98 at luma 100; luma 104 gives 102 (4: kept), luma 105 gives 104 (6: redrawn), then
        // 105 and 106 are within 4 of the new 104.
        #expect(reports == [0, 0, 0, 0, 32 * 12 - 8, 0])
    }

    @Test func equivalentBlockFormsAreNotDamage() {
        let d = DamageTracker(tolerance: 0)
        var g = CellGrid(cols: 2, rows: 1)
        let red = CellColor.rgb(255, 0, 0), blue = CellColor.rgb(0, 0, 255)
        g[0, 0] = Cell(glyph: "▀", fg: red, bg: blue)
        g[1, 0] = Cell(glyph: "▀", fg: red, bg: red)
        d.update(with: g)
        var same = g
        same[0, 0] = Cell(glyph: "▄", fg: blue, bg: red)
        same[1, 0] = Cell(glyph: " ", fg: blue, bg: red)
        #expect(d.update(with: same) == 0)
        var other = g
        other[0, 0] = Cell(glyph: "▄", fg: red, bg: blue)
        #expect(d.update(with: other) == 1)
    }

    @Test func boxResizeReportsEveryCell() {
        let r = FrameRenderer()
        let d = DamageTracker()
        d.update(with: r.render(Self.square(x: 0, y: 0), cols: 32, rows: 12))
        #expect(d.update(with: r.render(Self.square(x: 0, y: 0), cols: 40, rows: 12)) == 40 * 12)
        d.invalidate()
        #expect(d.update(with: r.render(Self.square(x: 0, y: 0), cols: 40, rows: 12)) == 40 * 12)
    }

    @Test func paletteColoursCompareExactly() {
        let d = DamageTracker(tolerance: 10)
        var g = CellGrid(cols: 1, rows: 1)
        g[0, 0] = Cell(glyph: "▀", fg: .palette(196), bg: .palette(16))
        d.update(with: g)
        g[0, 0] = Cell(glyph: "▀", fg: .palette(197), bg: .palette(16))
        #expect(d.update(with: g) == 1)
    }
}
