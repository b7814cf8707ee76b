import Testing
import Media
@testable import Render

@Suite struct ModeTests {
    @Test func quadrantPicksTheExactGlyphForEveryTwoColourPattern() {
        // 16 cells side by side, cell k's 2×2 pixels red where bit q of k is set, else blue;
        // square cells show the 32×2 frame 1:1.
        let red: (UInt8, UInt8, UInt8) = (255, 0, 0), blue: (UInt8, UInt8, UInt8) = (0, 0, 255)
        let frame = Pictures.frame(width: 32, height: 2) { x, y in
            let k = x / 2, q = (y * 2) + (x % 2)
            return k & (1 << q) != 0 ? red : blue
        }
        let g = FrameRenderer(options: RenderOptions(mode: .quadrant, cellAspect: 1)).render(frame, cols: 16, rows: 1)
        #expect(g.videoRect == CellRect(col: 0, row: 0, cols: 16, rows: 1))
        // Chroma is shared by 2×2 pixels, so red and blue come back as what I420 can carry:
        // compare looks (which quadrant shows which colour) against the 4:2:0 reference.
        let ref = Pictures.reference(frame, width: 32, height: 2)
        for k in 0..<16 {
            let cell = g[k, 0]
            let m = Glyphs.mask(of: cell.glyph)!
            for q in 0..<4 {
                let shown = RGB(m & (1 << q) != 0 ? cell.fg : cell.bg)
                let want = ref[(q / 2) * 32 + 2 * k + q % 2]
                #expect(abs(shown.r - want.r) <= 1 && abs(shown.g - want.g) <= 1 && abs(shown.b - want.b) <= 1,
                        "pattern \(k) quadrant \(q): \(shown) vs \(want)")
            }
        }
    }

    @Test func quadrantSplitsMinimiseTheError() {
        // Three dark pixels and one bright: the 1-vs-3 split is exact; any 2-vs-2 split is not.
        let frame = Pictures.frame(width: 2, height: 2) { x, y in x == 1 && y == 1 ? (250, 250, 250) : (10, 10, 10) }
        let g = FrameRenderer(options: RenderOptions(mode: .quadrant, cellAspect: 1)).render(frame, cols: 1, rows: 1)
        let c = g[0, 0]
        // Canonical form: the top-left pixel's group is the foreground.
        #expect(c.glyph == "▛")
        #expect(RGB(c.fg).r < 20 && RGB(c.bg).r > 240)
    }

    @Test func asciiRampFollowsLuminance() {
        var frame = Pictures.solid(width: 200, height: 100, y: 0, u: 128, v: 128)
        for y in 0..<100 { for x in 0..<200 { frame.y[y * 200 + x] = UInt8(16 + x * 219 / 199) } }
        let mono = FrameRenderer(options: RenderOptions(mode: .ascii(colored: false), cellAspect: 1))
            .render(frame, cols: 20, rows: 10)
        #expect(mono.videoRect == CellRect(col: 0, row: 0, cols: 20, rows: 10))
        let row = (0..<20).map { mono[$0, 5] }
        #expect(row.first!.glyph == " " && row.last!.glyph == "@")
        let ranks = row.map { cell in Glyphs.asciiRamp.firstIndex(of: cell.glyph)! }
        #expect(ranks == ranks.sorted())
        #expect(Set(ranks).count >= 9)
        #expect(row.allSatisfy { $0.fg == .terminalDefault && $0.bg == .terminalDefault })
        #expect(row.allSatisfy { $0.glyph.isASCII })
    }

    @Test func colouredAsciiCarriesThePixelColour() {
        let yuv = YUVToRGB.yuv(r: 200, g: 40, b: 40)
        let frame = Pictures.solid(width: 40, height: 20, y: yuv.y, u: yuv.u, v: yuv.v)
        let want = YUVToRGB.convert(y: yuv.y, u: yuv.u, v: yuv.v)
        let g = FrameRenderer(options: RenderOptions(mode: .ascii(colored: true), cellAspect: 1)).render(frame, cols: 20, rows: 10)
        let rampIndex = (77 * Int(want.r) + 150 * Int(want.g) + 29 * Int(want.b)) >> 8 * Glyphs.asciiRamp.count / 256
        #expect(g.cells.allSatisfy {
            $0 == Cell(glyph: Glyphs.asciiRamp[rampIndex], fg: .rgb(want.r, want.g, want.b), bg: .rgb(0, 0, 0))
        })
        let p16 = FrameRenderer(options: RenderOptions(mode: .ascii(colored: true), depth: .palette16, cellAspect: 1))
            .render(frame, cols: 20, rows: 10)
        #expect(p16.cells.allSatisfy { $0.fg == .palette(1) && $0.bg == .palette(0) })
    }

    @Test func monoQuadrantDrawsPixelPatterns() {
        let frame = Pictures.frame(width: 4, height: 2) { x, y in (x + y) % 2 == 0 ? (255, 255, 255) : (0, 0, 0) }
        let g = FrameRenderer(options: RenderOptions(mode: .quadrant, depth: .mono, cellAspect: 1)).render(frame, cols: 2, rows: 1)
        #expect(g[0, 0] == Cell(glyph: "▚", fg: .terminalDefault, bg: .terminalDefault))
        #expect(g[1, 0] == Cell(glyph: "▚", fg: .terminalDefault, bg: .terminalDefault))
    }
}
