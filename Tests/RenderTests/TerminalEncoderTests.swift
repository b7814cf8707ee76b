import Testing
import Media
import Capture
@testable import Render

@Suite struct TerminalEncoderTests {
    static let depths: [ColorDepth] = [.trueColor, .palette256(dither: false), .palette256(dither: true), .palette16, .mono]
    static let modes: [RenderMode] = [.halfBlock, .quadrant, .ascii(colored: true), .ascii(colored: false)]

    @Test(arguments: modes, depths)
    func fullRedrawShowsTheGridExactly(mode: RenderMode, depth: ColorDepth) {
        let frame = Pictures.photo(width: 160, height: 120)
        let grid = FrameRenderer(options: RenderOptions(mode: mode, depth: depth)).render(frame, cols: 50, rows: 16)
        let enc = TerminalEncoder()
        enc.encodeAll(grid)
        var screen = TerminalScreen(cols: 50, rows: 16)
        screen.feed(enc.bytes)
        #expect(screen.errors.isEmpty, "\(screen.errors)")
        for row in 0..<16 {
            for col in 0..<50 {
                #expect(screen.look(col: col, row: row) == TerminalScreen.look(grid[col, row]), "cell \(col),\(row)")
            }
        }
    }

    @Test(arguments: [0, 4])
    func damageStreamKeepsTheScreenWithinTolerance(tolerance: Int) {
        // 40 frames of the moving test pattern: after each frame's changed cells the terminal shows
        // exactly what the tracker believes, and every pixel is within the tolerance of the picture.
        let renderer = FrameRenderer(options: RenderOptions(mode: .halfBlock))
        let damage = DamageTracker(tolerance: tolerance)
        let enc = TerminalEncoder(reuseTolerance: tolerance)
        var screen = TerminalScreen(cols: 64, rows: 20)
        var grid = CellGrid(cols: 64, rows: 20)
        var total = 0
        for n in 0..<40 {
            let frame = TestPattern.frame(width: 320, height: 240, counter: UInt32(n), timestampNs: UInt64(n) * 33_000_000)
            renderer.render(frame, cols: 64, rows: 20, into: &grid)
            damage.update(with: grid)
            enc.clearOutput()
            enc.encode(damage)
            total += enc.byteCount
            screen.feed(enc.bytes)
            #expect(screen.errors.isEmpty)
            var excess = 0
            for row in 0..<20 {
                for col in 0..<64 {
                    let shown = screen.look(col: col, row: row)
                    #expect(shown == TerminalScreen.look(damage.shown[col, row]))
                    let want = TerminalScreen.look(grid[col, row])
                    // Contrast masking allows up to twice the tolerance in two-colour cells.
                    let allowed = Int(DamageTracker.maskedTolerance(grid[col, row], UInt32(tolerance)))
                    #expect(allowed <= 2 * tolerance)
                    for (a, b) in zip(shown, want) {
                        for s in [16, 8, 0] { excess = max(excess, abs((a >> s & 0xFF) - (b >> s & 0xFF)) - allowed) }
                    }
                }
            }
            #expect(excess <= 0, "frame \(n)")
        }
        #expect(total > 0)
    }

    @Test func unchangedFrameSendsNothing() {
        let frame = Pictures.photo(width: 64, height: 48)
        let renderer = FrameRenderer()
        let damage = DamageTracker(), enc = TerminalEncoder(reuseTolerance: 4)
        damage.update(with: renderer.render(frame, cols: 40, rows: 12))
        enc.encode(damage)
        #expect(enc.byteCount > 0)
        enc.clearOutput()
        #expect(damage.update(with: renderer.render(frame, cols: 40, rows: 12)) == 0)
        enc.encode(damage)
        #expect(enc.byteCount == 0)
    }

    @Test func exactBytesForASmallGrid() {
        var grid = CellGrid(cols: 3, rows: 2)
        let red = CellColor.rgb(255, 0, 0), blue = CellColor.rgb(0, 0, 255), odd = CellColor.rgb(1, 2, 3)
        grid[0, 0] = Cell(glyph: "▀", fg: red, bg: blue)
        grid[1, 0] = Cell(glyph: "▀", fg: red, bg: blue)   // same colours: no SGR
        grid[2, 0] = Cell(glyph: "▀", fg: blue, bg: red)   // swapped: drawn as ▄ without SGR
        grid[0, 1] = Cell(glyph: "▀", fg: odd, bg: odd)    // one colour: a space on that background
        grid[1, 1] = Cell(glyph: "▀", fg: odd, bg: blue)   // ▄ in blue keeps the background
        grid[2, 1] = Cell(glyph: "▀", fg: odd, bg: odd)
        let enc = TerminalEncoder(usePaletteCodes: false)
        enc.encodeAll(grid)
        let esc = "\u{1B}["
        let want = esc + "1;1H" + esc + "38;2;255;0;0;48;2;0;0;255m▀▀▄"
            + esc + "2;1H" + esc + "48;2;1;2;3m " + esc + "38;2;0;0;255m▄ "
        #expect(String(decoding: enc.bytes, as: UTF8.self) == want)

        // Palette codes: colours that are xterm cube entries go as 38;5 / 48;5.
        let short = TerminalEncoder()
        short.encodeAll(grid)
        #expect(String(decoding: short.bytes, as: UTF8.self).hasPrefix(esc + "1;1H" + esc + "38;5;196;48;5;21m▀▀▄"))
    }

    @Test func cursorMovesAreShortest() {
        var grid = CellGrid(cols: 20, rows: 3, fill: Cell(glyph: "▀", fg: .rgb(9, 9, 9), bg: .rgb(1, 1, 1)))
        let damage = DamageTracker(tolerance: 0)
        damage.update(with: grid)
        let changed = Cell(glyph: "▀", fg: .rgb(200, 9, 9), bg: .rgb(1, 1, 1))
        grid[2, 1] = changed; grid[12, 1] = changed; grid[5, 2] = changed
        #expect(damage.update(with: grid) == 3)
        #expect(damage.changed == [22, 32, 45])
        let enc = TerminalEncoder(origin: (5, 10))
        enc.encode(damage)
        let esc = "\u{1B}["
        // Box origin row 5, column 10: CUP to the first, CUF over 9 cells, CUP to the next row.
        #expect(String(decoding: enc.bytes, as: UTF8.self)
                == esc + "6;12H" + esc + "38;2;200;9;9;48;2;1;1;1m▀" + esc + "9C▀" + esc + "7;15H▀")
    }

    @Test func shortGapsAreRewrittenInsteadOfMovedOver() {
        var grid = CellGrid(cols: 10, rows: 1, fill: .blank(.rgb(0, 0, 0)))
        let damage = DamageTracker(tolerance: 0)
        damage.update(with: grid)
        grid[0, 0] = .blank(.rgb(7, 7, 7)); grid[2, 0] = .blank(.rgb(7, 7, 7))
        damage.update(with: grid)
        let enc = TerminalEncoder()
        enc.encode(damage)
        // Rewriting the one unchanged space (SGR to black + space = 13 bytes) costs more than CUF (3).
        let esc = "\u{1B}["
        #expect(String(decoding: enc.bytes, as: UTF8.self) == esc + "1;1H" + esc + "48;2;7;7;7m " + esc + "C ")
        // A gap cell that already shows the colour being drawn: rewriting it (1 byte) beats CUF (3).
        var g2 = CellGrid(cols: 10, rows: 1, fill: .blank(.rgb(7, 7, 7)))
        g2[1, 0] = .blank(.rgb(1, 1, 1))
        let d2 = DamageTracker(tolerance: 0)
        d2.update(with: g2)
        g2[0, 0] = .blank(.rgb(1, 1, 1)); g2[2, 0] = .blank(.rgb(1, 1, 1))
        #expect(d2.update(with: g2) == 2)
        let e2 = TerminalEncoder()
        e2.encode(d2)
        #expect(String(decoding: e2.bytes, as: UTF8.self) == esc + "1;1H" + esc + "48;2;1;1;1m   ")
    }

    @Test func sixteenColourAndMonoCodes() {
        var grid = CellGrid(cols: 2, rows: 1)
        grid[0, 0] = Cell(glyph: "▀", fg: .palette(1), bg: .palette(9))
        grid[1, 0] = Cell(glyph: "#", fg: .terminalDefault, bg: .terminalDefault)
        let enc = TerminalEncoder()
        enc.encodeAll(grid)
        let esc = "\u{1B}["
        // ▀ red over bright red is sent as ▄ bright red over red: "91;41" is a byte shorter than "31;101".
        #expect(String(decoding: enc.bytes, as: UTF8.self) == esc + "1;1H" + esc + "91;41m▄" + esc + "39;49m#")
        enc.clearOutput()
        enc.finish()
        #expect(String(decoding: enc.bytes, as: UTF8.self) == esc + "0m")
    }
}

/// Names in placeholders and overlays may be CJK: a wide glyph is drawn once over two cells and the
/// cursor bookkeeping stays right for whatever is drawn after it on the same row.
@Suite struct WideGlyphEncodingTests {
    static func row(_ text: String, cols: Int, fill: Unicode.Scalar = ".") -> CellGrid {
        var grid = CellGrid(cols: cols, rows: 2, fill: Cell(glyph: fill, fg: .rgb(200, 200, 200), bg: .rgb(0, 0, 40)))
        var c = 0
        for s in text.unicodeScalars {
            grid[c, 0] = Cell(glyph: s, fg: .rgb(230, 230, 230), bg: .rgb(0, 0, 40))
            if TerminalScreen.isWide(s) { grid[c + 1, 0] = Cell(glyph: Glyphs.wideTail, fg: .rgb(230, 230, 230), bg: .rgb(0, 0, 40)); c += 1 }
            c += 1
        }
        return grid
    }

    func expectShown(_ screen: TerminalScreen, _ grid: CellGrid) {
        #expect(screen.errors.isEmpty, "\(screen.errors)")
        for r in 0..<grid.rows {
            for c in 0..<grid.cols {
                #expect(screen.cells[r * grid.cols + c].glyph == grid[c, r].glyph, "cell \(c),\(r)")
            }
        }
    }

    @Test func fullRedrawDrawsEachWideGlyphOnce() {
        let grid = Self.row("李雷 calls 王芳", cols: 24)
        let enc = TerminalEncoder()
        enc.encodeAll(grid)
        let text = String(decoding: enc.bytes, as: UTF8.self)
        #expect(text.contains("李雷 calls 王芳"))
        #expect(!text.unicodeScalars.contains(Glyphs.wideTail))
        var screen = TerminalScreen(cols: 24, rows: 2)
        screen.feed(enc.bytes)
        expectShown(screen, grid)
    }

    @Test func damageAfterWideGlyphsLandsInTheRightColumns() {
        // Frame 2 changes the wide names and single cells after them: each lands where the grid says.
        let damage = DamageTracker(tolerance: 0)
        let enc = TerminalEncoder()
        var screen = TerminalScreen(cols: 24, rows: 2)
        for text in ["李雷 calls 王芳", "王芳 calls 李雷", "王芳 rings 李雷!", "a 李 b 雷 c"] {
            let grid = Self.row(text, cols: 24)
            damage.update(with: grid)
            enc.clearOutput()
            enc.encode(damage)
            screen.feed(enc.bytes)
            expectShown(screen, grid)
        }
    }
}
