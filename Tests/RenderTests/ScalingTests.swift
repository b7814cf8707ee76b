import Testing
import Media
@testable import Render

@Suite struct ScalingTests {
    @Test(arguments: [(16, 128, 128), (235, 128, 128), (81, 90, 240), (145, 54, 34), (41, 240, 110)])
    func solidColoursComeOutExactly(y: Int, u: Int, v: Int) {
        let frame = Pictures.solid(width: 64, height: 48, y: UInt8(y), u: UInt8(u), v: UInt8(v))
        let expected = YUVToRGB.convert(y: UInt8(y), u: UInt8(u), v: UInt8(v))
        let c = CellColor.rgb(expected.r, expected.g, expected.b)
        let grid = FrameRenderer().render(frame, cols: 32, rows: 12)
        #expect(grid.videoRect == CellRect(col: 0, row: 0, cols: 32, rows: 12))
        #expect(grid.cells.allSatisfy { $0 == Cell(glyph: "▀", fg: c, bg: c) })
    }

    @Test func bt601LimitedRangeKnownColours() {
        #expect(YUVToRGB.convert(y: 16, u: 128, v: 128) == (0, 0, 0))
        #expect(YUVToRGB.convert(y: 235, u: 128, v: 128) == (255, 255, 255))
        #expect(YUVToRGB.convert(y: 126, u: 128, v: 128) == (128, 128, 128))
        // Every channel is the BT.601 limited-range formula rounded to nearest (and clipped).
        for y in stride(from: 0, through: 255, by: 5) {
            for u in stride(from: 0, through: 255, by: 15) {
                for v in stride(from: 0, through: 255, by: 15) {
                    let Y = 1.164383 * Double(y - 16), U = Double(u - 128), V = Double(v - 128)
                    let want = [Y + 1.596027 * V, Y - 0.391762 * U - 0.812968 * V, Y + 2.017232 * U]
                        .map { max(0, min(255, $0)) }
                    let got = YUVToRGB.convert(y: UInt8(y), u: UInt8(u), v: UInt8(v))
                    let err = zip([got.r, got.g, got.b].map(Double.init), want).map { abs($0 - $1) }.max()!
                    #expect(err <= 0.51, "Y \(y) U \(u) V \(v)")
                }
            }
        }
    }

    @Test func horizontalGradientAveragesEachColumnGroup() {
        // Luma 16 + x over 200 columns, shown in 50 columns: each cell averages 4 columns exactly.
        var frame = Pictures.solid(width: 200, height: 100, y: 0, u: 128, v: 128)
        for y in 0..<100 { for x in 0..<200 { frame.y[y * 200 + x] = UInt8(16 + x) } }
        let grid = FrameRenderer().render(frame, cols: 50, rows: 50)
        #expect(grid.videoRect == CellRect(col: 0, row: 18, cols: 50, rows: 13))
        for c in 0..<50 {
            // Mean of 16+4c ... 16+4c+3 = 17.5 + 4c, in 1/16 steps.
            let p = YUVToRGB.convert(y16: (16 + 4 * c) * 16 + 24, u16: 2048, v16: 2048)
            let want = CellColor(raw: p)
            #expect(grid[c, 20].fg == want && grid[c, 20].bg == want, "column \(c)")
        }
        // Strictly increasing left to right.
        #expect((1..<50).allSatisfy { grid[$0, 20].fg.r > grid[$0 - 1, 20].fg.r })
    }

    @Test func pixelCheckerboardAveragesToGreyAndBlockCheckerboardStaysSharp() {
        let fine = Pictures.frame(width: 64, height: 64) { x, y in (x + y) % 2 == 0 ? (255, 255, 255) : (0, 0, 0) }
        let grey = FrameRenderer().render(fine, cols: 32, rows: 16)
        #expect(grey.videoRect == CellRect(col: 0, row: 0, cols: 32, rows: 16))
        let g = YUVToRGB.convert(y16: (16 + 235) * 8, u16: 2048, v16: 2048)
        #expect(grey.cells.allSatisfy { $0.fg.raw == g && $0.bg.raw == g })

        // The same checkerboard shown 1:1 in quadrant mode (square cells make the 2×2 cell pixels
        // square): every cell is exactly ▚ in white over black.
        let q = FrameRenderer(options: RenderOptions(mode: .quadrant, cellAspect: 1)).render(fine, cols: 32, rows: 32)
        #expect(q.videoRect == CellRect(col: 0, row: 0, cols: 32, rows: 32))
        #expect(q.cells.allSatisfy { $0 == Cell(glyph: "▚", fg: .rgb(255, 255, 255), bg: .rgb(0, 0, 0)) })
    }

    @Test(arguments: [(33, 17, 7, 5), (1, 1, 3, 2), (5, 3, 80, 24), (641, 479, 37, 11), (17, 999, 9, 13)])
    func oddSizesMatchTheFloatingPointBoxFilter(w: Int, h: Int, cols: Int, rows: Int) {
        let frame = Pictures.photo(width: w, height: h, seed: UInt32(w * h))
        let grid = FrameRenderer(options: RenderOptions(mode: .quadrant)).render(frame, cols: cols, rows: rows)
        let rect = grid.videoRect
        #expect(rect.cols >= 1 && rect.rows >= 1 && rect.col + rect.cols <= cols && rect.row + rect.rows <= rows)
        // The scaler itself, compared pixel by pixel with the reference (within rounding).
        let scaler = BoxScaler()
        let pw = rect.cols * 2, ph = rect.rows * 2
        scaler.scale(frame, width: pw, height: ph)
        let ref = Pictures.reference(frame, width: pw, height: ph)
        var worst = 0.0
        for i in 0..<(pw * ph) {
            let p = RGB(packed: YUVToRGB.convert(y16: Int(scaler.planeY[i]), u16: Int(scaler.planeU[i]),
                                                 v16: Int(scaler.planeV[i])))
            worst = max(worst, abs(p.r - ref[i].r), abs(p.g - ref[i].g), abs(p.b - ref[i].b))
        }
        #expect(worst <= 1.0)
    }

    @Test(arguments: [(640, 128), (480, 96), (5, 80), (7, 3), (320, 128), (1000, 999)])
    func spanWeightsAlwaysSumToOne(source: Int, out: Int) {
        for step in [1, 2] {
            let s = BoxScaler.Spans(outCount: out, lumaLength: source, step: step,
                                    sourceCount: (source + step - 1) / step)
            for i in 0..<out {
                let ws = s.weights[Int(s.offset[i])..<Int(s.offset[i + 1])]
                #expect(ws.reduce(0, +) == BoxScaler.weightOne)
                #expect(ws.allSatisfy { $0 >= 0 })
            }
        }
    }

    @Test func stridedFramesRenderLikePackedOnes() {
        let packed = Pictures.photo(width: 90, height: 60)
        let cw = packed.chromaWidth
        var y = [UInt8](repeating: 7, count: 128 * 60), u = [UInt8](repeating: 9, count: 64 * 30), v = u
        for r in 0..<60 { for x in 0..<90 { y[r * 128 + x] = packed.y[r * 90 + x] } }
        for r in 0..<30 { for x in 0..<cw { u[r * 64 + x] = packed.u[r * cw + x]; v[r * 64 + x] = packed.v[r * cw + x] } }
        let strided = VideoFrame(width: 90, height: 60, y: y, u: u, v: v, strideY: 128, strideU: 64, strideV: 64,
                                 timestampNs: 0)
        #expect(FrameRenderer().render(strided, cols: 30, rows: 10) == FrameRenderer().render(packed, cols: 30, rows: 10))
    }
}
