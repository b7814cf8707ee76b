import Media

/// Turns video frames into cell grids. Keeps its scaler spans and pixel buffers between frames,
/// so rendering a frame of an unchanged size into the same grid allocates nothing.
public final class FrameRenderer {
    public var options: RenderOptions
    private let scaler = BoxScaler()
    private var pixels: UnsafeMutableBufferPointer<UInt32> = .allocate(capacity: 0)

    public init(options: RenderOptions = RenderOptions()) {
        self.options = options
    }

    deinit { pixels.deallocate() }

    /// Renders `frame` into a new `cols × rows` grid.
    public func render(_ frame: VideoFrame, cols: Int, rows: Int) -> CellGrid {
        var grid = CellGrid(cols: cols, rows: rows)
        render(frame, cols: cols, rows: rows, into: &grid)
        return grid
    }

    /// Renders `frame` letterboxed into `grid`, resized to `cols × rows`.
    public func render(_ frame: VideoFrame, cols: Int, rows: Int, into grid: inout CellGrid) {
        let quantizer = Quantizer(options.depth)
        let bar = barCell(quantizer)
        grid.resize(cols: cols, rows: rows, fill: bar)
        let rect = Letterbox.fit(width: frame.width, height: frame.height, cols: cols, rows: rows,
                                 cellAspect: options.cellAspect)
        grid.videoRect = rect
        guard rect.cols > 0, rect.rows > 0 else { return }
        let (ppx, ppy) = options.mode.pixelsPerCell
        let pw = rect.cols * ppx, ph = rect.rows * ppy
        scaler.scale(frame, width: pw, height: ph)
        convertToRGB(count: pw * ph)

        let px = UnsafePointer(pixels.baseAddress!)
        grid.cells.withUnsafeMutableBufferPointer { cells in
            fillBars(cells, cols: cols, rows: rows, rect: rect, bar: bar)
            for cy in 0..<rect.rows {
                let out = cells.baseAddress! + (rect.row + cy) * cols + rect.col
                let line = px + cy * ppy * pw
                switch options.mode {
                case .halfBlock:
                    halfBlockRow(line, pw: pw, y: cy * 2, count: rect.cols, quantizer, out)
                case .quadrant:
                    quadrantRow(line, pw: pw, y: cy * 2, count: rect.cols, quantizer, out)
                case .ascii(let colored):
                    asciiRow(line, y: cy, count: rect.cols, colored: colored, bar: bar, quantizer, out)
                }
            }
        }
    }

    private func barCell(_ q: Quantizer) -> Cell {
        return .blank(q.color(options.barColor.raw, x: 0, y: 0))
    }

    private func convertToRGB(count n: Int) {
        if pixels.count < n { pixels.deallocate(); pixels = .allocate(capacity: n) }
        let y = scaler.planeY.baseAddress!, u = scaler.planeU.baseAddress!, v = scaler.planeV.baseAddress!
        let out = pixels.baseAddress!
        for i in 0..<n {
            out[i] = YUVToRGB.convert(y16: Int(y[i]), u16: Int(u[i]), v16: Int(v[i]))
        }
    }

    private func fillBars(_ cells: UnsafeMutableBufferPointer<Cell>, cols: Int, rows: Int,
                          rect: CellRect, bar: Cell) {
        for r in 0..<rows {
            let base = r * cols
            if r < rect.row || r >= rect.row + rect.rows {
                for c in 0..<cols { cells[base + c] = bar }
            } else {
                for c in 0..<rect.col { cells[base + c] = bar }
                for c in (rect.col + rect.cols)..<cols { cells[base + c] = bar }
            }
        }
    }

    @inline(__always)
    private func halfBlockRow(_ line: UnsafePointer<UInt32>, pw: Int, y: Int, count: Int,
                              _ q: Quantizer, _ out: UnsafeMutablePointer<Cell>) {
        let below = line + pw
        if q.kind == .mono {
            let glyphs = Glyphs.quadrant
            for x in 0..<count {
                let top = Quantizer.monoOn(line[x], x: x, y: y) ? 3 : 0
                let bottom = Quantizer.monoOn(below[x], x: x, y: y + 1) ? 12 : 0
                out[x] = Cell(glyph: glyphs[top | bottom], fg: .terminalDefault, bg: .terminalDefault)
            }
            return
        }
        for x in 0..<count {
            out[x] = Cell(glyph: Glyphs.upperHalf, fg: q.color(line[x], x: x, y: y),
                          bg: q.color(below[x], x: x, y: y + 1))
        }
    }

    // Quadrant cells: each split of the 2×2 pixels into a group with the top-left pixel (fg) and the
    // rest (bg) is scored Σ 12·|S|²/n over both groups; maximising it minimises the squared error.

    @inline(__always)
    private func quadrantRow(_ line: UnsafePointer<UInt32>, pw: Int, y: Int, count: Int,
                             _ q: Quantizer, _ out: UnsafeMutablePointer<Cell>) {
        let below = line + pw
        let glyphs = Glyphs.quadrant  // a local copy: no lazy-global check per cell
        for cx in 0..<count {
            let x = cx * 2
            let p = (line[x], line[x + 1], below[x], below[x + 1])
            if q.kind == .mono {
                var m = 0
                if Quantizer.monoOn(p.0, x: x, y: y) { m |= 1 }
                if Quantizer.monoOn(p.1, x: x + 1, y: y) { m |= 2 }
                if Quantizer.monoOn(p.2, x: x, y: y + 1) { m |= 4 }
                if Quantizer.monoOn(p.3, x: x + 1, y: y + 1) { m |= 8 }
                out[cx] = Cell(glyph: glyphs[m], fg: .terminalDefault, bg: .terminalDefault)
                continue
            }
            let c0 = Quantizer.channels(p.0), c1 = Quantizer.channels(p.1)
            let c2 = Quantizer.channels(p.2), c3 = Quantizer.channels(p.3)
            let tr = c0.0 + c1.0 + c2.0 + c3.0, tg = c0.1 + c1.1 + c2.1 + c3.1, tb = c0.2 + c1.2 + c2.2 + c3.2
            // Uniform cell: score 12·|S|²/4.
            var bestMask = 15, bestScore = 3 * (tr * tr + tg * tg + tb * tb)
            var bestFg = (tr, tg, tb), bestN = 4
            @inline(__always) func consider(_ m: Int, _ s: (Int, Int, Int), _ n: Int, _ w1: Int, _ w2: Int) {
                let o = (tr - s.0, tg - s.1, tb - s.2)
                let score = w1 * (s.0 * s.0 + s.1 * s.1 + s.2 * s.2) + w2 * (o.0 * o.0 + o.1 * o.1 + o.2 * o.2)
                if score > bestScore { bestScore = score; bestMask = m; bestFg = s; bestN = n }
            }
            // The seven two-colour splits, named by the group that holds the top-left pixel.
            consider(1, c0, 1, 12, 4)
            consider(3, (c0.0 + c1.0, c0.1 + c1.1, c0.2 + c1.2), 2, 6, 6)
            consider(5, (c0.0 + c2.0, c0.1 + c2.1, c0.2 + c2.2), 2, 6, 6)
            consider(9, (c0.0 + c3.0, c0.1 + c3.1, c0.2 + c3.2), 2, 6, 6)
            consider(7, (tr - c3.0, tg - c3.1, tb - c3.2), 3, 4, 12)
            consider(11, (tr - c2.0, tg - c2.1, tb - c2.2), 3, 4, 12)
            consider(13, (tr - c1.0, tg - c1.1, tb - c1.2), 3, 4, 12)
            let fg = Self.mean(bestFg, bestN)
            if bestMask == 15 {
                let c = q.color(fg, x: x, y: y)
                out[cx] = Cell(glyph: glyphs[15], fg: c, bg: c)
            } else {
                let bg = Self.mean((tr - bestFg.0, tg - bestFg.1, tb - bestFg.2), 4 - bestN)
                out[cx] = Cell(glyph: glyphs[bestMask], fg: q.color(fg, x: x, y: y),
                               bg: q.color(bg, x: x + 1, y: y + 1))
            }
        }
    }

    @inline(__always) private static func mean(_ s: (Int, Int, Int), _ n: Int) -> UInt32 {
        let h = n / 2
        return UInt32((s.0 + h) / n) << 16 | UInt32((s.1 + h) / n) << 8 | UInt32((s.2 + h) / n)
    }

    @inline(__always)
    private func asciiRow(_ line: UnsafePointer<UInt32>, y: Int, count: Int, colored: Bool, bar: Cell,
                          _ q: Quantizer, _ out: UnsafeMutablePointer<Cell>) {
        let ramp = Glyphs.asciiRamp
        let levels = ramp.count
        for x in 0..<count {
            let p = line[x]
            let glyph = ramp[Quantizer.luma(p) * levels / 256]
            if colored && q.kind != .mono {
                out[x] = Cell(glyph: glyph, fg: q.color(p, x: x, y: y), bg: bar.bg)
            } else {
                out[x] = Cell(glyph: glyph, fg: .terminalDefault, bg: .terminalDefault)
            }
        }
    }
}
