import Testing
import Media
@testable import Render

@Suite struct PaletteTests {
    @Test func palette256EntriesHaveXtermValues() {
        #expect(Palette256.rgb(16) == (0, 0, 0))
        #expect(Palette256.rgb(196) == (255, 0, 0))
        #expect(Palette256.rgb(67) == (95, 135, 175))
        #expect(Palette256.rgb(231) == (255, 255, 255))
        #expect(Palette256.rgb(232) == (8, 8, 8))
        #expect(Palette256.rgb(255) == (238, 238, 238))
        #expect(Palette256.rgb(9) == (255, 0, 0))
    }

    @Test func palette256MapsKnownColours() {
        let cases: [((UInt8, UInt8, UInt8), UInt8)] = [
            ((255, 0, 0), 196), ((0, 255, 0), 46), ((0, 0, 255), 21), ((255, 255, 255), 231), ((0, 0, 0), 16),
            ((128, 128, 128), 244), ((95, 135, 175), 67), ((8, 8, 8), 232), ((238, 238, 238), 255),
            ((250, 5, 3), 196), ((120, 121, 119), 243), ((255, 128, 0), 208),
        ]
        for (c, want) in cases {
            #expect(Palette256.nearest(r: c.0, g: c.1, b: c.2) == want, "\(c)")
            #expect(Palette256.nearestExact(r: c.0, g: c.1, b: c.2) == want, "\(c)")
        }
    }

    @Test func everyCubeAndGreyEntryMapsToItself() {
        for i in 16...255 {
            let c = Palette256.rgb(UInt8(i))
            #expect(Palette256.nearest(r: c.0, g: c.1, b: c.2) == UInt8(i), "entry \(i)")
        }
    }

    @Test func palette16MapsKnownColours() {
        let cases: [((UInt8, UInt8, UInt8), UInt8)] = [
            ((0, 0, 0), 0), ((205, 0, 0), 1), ((255, 0, 0), 9), ((0, 0, 238), 4), ((127, 127, 127), 8),
            ((229, 229, 229), 7), ((255, 255, 255), 15), ((0, 250, 250), 14), ((20, 10, 10), 0), ((250, 250, 60), 11),
        ]
        for (c, want) in cases {
            #expect(Palette16.nearest(r: c.0, g: c.1, b: c.2) == want, "\(c)")
        }
    }

    @Test(arguments: [
        ((255, 0, 0) as (UInt8, UInt8, UInt8), 196 as UInt8, 9 as UInt8),
        ((255, 255, 255), 231, 15), ((0, 0, 0), 16, 0), ((0, 0, 255), 21, 4), ((255, 255, 0), 226, 11),
    ])
    func renderedFramesUseTheExpectedPaletteEntries(rgb: (UInt8, UInt8, UInt8), p256: UInt8, p16: UInt8) {
        let yuv = YUVToRGB.yuv(r: rgb.0, g: rgb.1, b: rgb.2)
        let frame = Pictures.solid(width: 32, height: 24, y: yuv.y, u: yuv.u, v: yuv.v)
        for (depth, want) in [(ColorDepth.palette256(dither: false), p256), (.palette256(dither: true), p256), (.palette16, p16)] {
            let grid = FrameRenderer(options: RenderOptions(depth: depth)).render(frame, cols: 16, rows: 6)
            #expect(grid.cells.allSatisfy { $0.fg == .palette(want) && $0.bg == .palette(want) }, "\(depth)")
        }
    }

    @Test func ditheringMixesNeighboursToApproachTheTrueColour() {
        // A colour between cube entries: undithered it becomes one entry; dithered, a mix whose
        // average is closer to the original.
        let target = (r: 70.0, g: 150.0, b: 115.0)
        let yuv = YUVToRGB.yuv(r: 70, g: 150, b: 115)
        let frame = Pictures.solid(width: 64, height: 48, y: yuv.y, u: yuv.u, v: yuv.v)
        func stats(_ dither: Bool) -> (distinct: Int, error: Double) {
            let g = FrameRenderer(options: RenderOptions(depth: .palette256(dither: dither))).render(frame, cols: 32, rows: 12)
            var sum = (0.0, 0.0, 0.0)
            var seen = Set<UInt8>()
            for cell in g.cells {
                for c in [cell.fg, cell.bg] {
                    seen.insert(c.paletteIndex)
                    let p = RGB(c); sum.0 += p.r; sum.1 += p.g; sum.2 += p.b
                }
            }
            let n = Double(2 * g.cells.count)
            let err = abs(sum.0 / n - target.r) + abs(sum.1 / n - target.g) + abs(sum.2 / n - target.b)
            return (seen.count, err)
        }
        let plain = stats(false), dithered = stats(true)
        #expect(plain.distinct == 1)
        #expect(dithered.distinct >= 2)
        #expect(dithered.error < plain.error)
        // Dithering follows pixel positions: the same frame renders identically (no flicker).
        let r = FrameRenderer(options: RenderOptions(depth: .palette256(dither: true)))
        #expect(r.render(frame, cols: 32, rows: 12) == r.render(frame, cols: 32, rows: 12))
    }

    @Test func monochromeUsesGlyphsInDefaultColours() {
        let white = Pictures.solid(width: 32, height: 24, y: 235, u: 128, v: 128)
        let black = Pictures.solid(width: 32, height: 24, y: 16, u: 128, v: 128)
        let halves = Pictures.frame(width: 32, height: 24) { _, y in y % 2 == 0 ? (255, 255, 255) : (0, 0, 0) }
        let mono = RenderOptions(depth: .mono)
        let d = CellColor.terminalDefault
        #expect(FrameRenderer(options: mono).render(white, cols: 16, rows: 6).cells.allSatisfy {
            $0 == Cell(glyph: "█", fg: d, bg: d) })
        #expect(FrameRenderer(options: mono).render(black, cols: 16, rows: 6).cells.allSatisfy {
            $0 == Cell(glyph: " ", fg: d, bg: d) })
        // 32×12 cells of 1×2 pixels show the 32×24 frame 1:1: rows alternate white / black.
        let g = FrameRenderer(options: mono).render(halves, cols: 32, rows: 12)
        #expect(g.videoRect == CellRect(col: 0, row: 0, cols: 32, rows: 12))
        #expect(g.cells.allSatisfy { $0 == Cell(glyph: "▀", fg: d, bg: d) })
    }
}
