/// The state machine behind `TerminalEncoder`: a value type so the hot loop mutates locals and
/// pays no runtime exclusivity checks. It owns no memory: `TerminalEncoder` frees `buffer`.
struct TerminalEncoderCore {
    static let maxRewriteRun = 4
    static let unknown = UInt32.max

    struct State {
        var fg = TerminalEncoderCore.unknown, bg = TerminalEncoderCore.unknown
        var row = -1, col = -1  // box-relative cursor; -1 when unknown
    }

    var origin: (row: Int, col: Int)
    var usePaletteCodes: Bool
    var tol: UInt32 = 0
    /// The tolerance `tol` starts from for each cell, and whether contrast masking raises it.
    var baseTol: UInt32 = 0
    var masking = false
    var buffer: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var byteCount = 0
    var state = State()
    // Tables held by value so the hot loop does not go through lazy globals.
    let quadrant = Glyphs.quadrant
    let levels = Palette256.cubeLevels
    let nearestLevel = TerminalEncoderCore.nearestLevelTable
    let levelIndex = TerminalEncoderCore.levelIndexTable
    let decimal = TerminalEncoderCore.decimalTable

    /// 0...999 in ASCII: up to three digit bytes from the low end, the digit count in the top byte.
    static let decimalTable: [UInt32] = (0..<1000).map { n in
        let d = Array(String(n).utf8)
        var v = UInt32(d.count) << 24
        for (i, b) in d.enumerated() { v |= UInt32(b) << (8 * i) }
        return v
    }

    init(origin: (row: Int, col: Int), usePaletteCodes: Bool, capacity: Int) {
        self.origin = origin
        self.usePaletteCodes = usePaletteCodes
        self.capacity = capacity
        buffer = .allocate(capacity: capacity)
    }

    /// Moves to cell `i` the cheapest way (nothing, CUF, rewriting a short gap, or CUP) and draws it;
    /// with `writeBack`, stores in `cells` what the terminal now shows.
    mutating func place(_ i: Int, _ cells: UnsafeMutablePointer<Cell>, cols: Int, writeBack: Bool, next: Cell? = nil) {
        // Drawn with the wide glyph on its left, which moved the cursor past it.
        if cells[i].glyph == Glyphs.wideTail { return }
        let row = i / cols, col = i - row * cols
        if state.row != row || state.col != col {
            if state.row == row && state.col >= 0 && col > state.col {
                let gap = col - state.col
                let move = gap == 1 ? 3 : 3 + digits(gap)
                if gap <= TerminalEncoderCore.maxRewriteRun {
                    // Unchanged cells are redrawn exactly as shown: a tolerance here would add to
                    // the one they were drawn with.
                    let savedTol = tol
                    tol = 0
                    defer { tol = savedTol }
                    var s = state, cost = 0
                    for k in (i - gap)..<i { cost += cellCost(cells[k], &s) }
                    if cost <= move {
                        for k in (i - gap)..<i where cells[k].glyph != Glyphs.wideTail {
                            let shown = emit(cells[k], cols: cols, col: state.col)
                            if writeBack { cells[k] = shown }
                            skipWideTail(k, cells, cols: cols)
                        }
                    }
                }
                if state.col != col {
                    write("\u{1B}[")
                    if gap > 1 { writeNumber(gap) }
                    writeByte(UInt8(ascii: "C"))
                }
            } else {
                write("\u{1B}[")
                writeNumber(origin.row + row); writeByte(UInt8(ascii: ";"))
                writeNumber(origin.col + col); writeByte(UInt8(ascii: "H"))
            }
            state.row = row; state.col = col
        }
        tol = masking ? DamageTracker.maskedTolerance(cells[i], baseTol) : baseTol
        let shown = emit(cells[i], cols: cols, col: col, next: next)
        if writeBack { cells[i] = shown }
        skipWideTail(i, cells, cols: cols)
    }

    /// After drawing cell `i`: a wide glyph moved the cursor over the tail cell that follows it.
    @inline(__always) mutating func skipWideTail(_ i: Int, _ cells: UnsafeMutablePointer<Cell>, cols: Int) {
        guard state.col > 0, state.col < cols, cells[i + 1].glyph == Glyphs.wideTail else { return }
        state.col += 1
        if state.col >= cols { state.row = -1; state.col = -1 }
    }

    /// Whether colour `want` needs an SGR given the terminal has `have`.
    @inline(__always) func differs(_ want: UInt32, _ have: UInt32) -> Bool {
        want != have && !DamageTracker.close(CellColor(raw: want), CellColor(raw: have), tol)
    }

    /// A cell as a glyph and the fg / bg it needs (`none`: any).
    struct Plan {
        var glyph: Unicode.Scalar; var fg: UInt32; var bg: UInt32
        /// The colours are already approximations: send them as they are, with no further tolerance.
        var exact = false
    }
    static let none = UInt32.max - 1

    func plan(_ c: Cell, _ s: State) -> Plan {
        let none = TerminalEncoderCore.none
        guard let m = Glyphs.mask(of: c.glyph), !c.fg.isDefault, !c.bg.isDefault else {
            return Plan(glyph: c.glyph, fg: c.glyph == " " ? none : c.fg.raw, bg: c.bg.raw)
        }
        let f = c.fg.raw, b = c.bg.raw
        if m == 0 || m == 15 || !differs(f, b) {
            // One colour (or two within the tolerance): any colour close to all it shows will do.
            let needF = m != 0, needB = m != 15
            func fits(_ x: UInt32) -> Bool { !(needF && differs(f, x)) && !(needB && differs(b, x)) }
            if fits(s.bg) { return Plan(glyph: " ", fg: none, bg: none) }
            if fits(s.fg) { return Plan(glyph: quadrant[15], fg: none, bg: none) }
            if m == 0 || m == 15 { return Plan(glyph: " ", fg: none, bg: m == 0 ? b : f) }
            return Plan(glyph: " ", fg: none, bg: TerminalEncoderCore.average(f, b), exact: true)
        }
        let direct = sgrCost(fg: f, bg: b, s), swapped = sgrCost(fg: b, bg: f, s)
        return swapped < direct ? Plan(glyph: quadrant[15 - m], fg: b, bg: f)
                                : Plan(glyph: c.glyph, fg: f, bg: b)
    }

    /// Whether `glyph` in `fg` over `bg` looks within the tolerance of cell `c`.
    func looksClose(_ glyph: Unicode.Scalar, _ fg: UInt32, _ bg: UInt32, _ c: Cell) -> Bool {
        let shown = Cell(glyph: glyph, fg: CellColor(raw: fg), bg: CellColor(raw: bg))
        if Glyphs.mask(of: glyph) != nil && Glyphs.mask(of: c.glyph) != nil {
            return DamageTracker.sameLook(shown, c, tol)
        }
        guard glyph == c.glyph else { return false }
        return DamageTracker.close(shown.bg, c.bg, tol) && (glyph == " " || DamageTracker.close(shown.fg, c.fg, tol))
    }

    /// The colour to send for `want`: within the tolerance, a palette entry (shorter to send) or a
    /// colour that also suits the next cell (so it needs no SGR of its own).
    @inline(__always) func choose(_ want: UInt32, _ next: Cell?) -> UInt32 {
        let c = CellColor(raw: want)
        guard c.isRGB, tol > 0 else { return want }
        if usePaletteCodes {
            let t = nearestLevel
            let snapped = CellColor.rgb(levels[Int(t[Int(c.r)])], levels[Int(t[Int(c.g)])], levels[Int(t[Int(c.b)])])
            if DamageTracker.close(c, snapped, tol) { return snapped.raw }
        }
        guard let next else { return want }
        // The next cell's colour nearest to this one; meet it halfway if both stay within the tolerance.
        let a = next.fg, b = next.bg
        let other = TerminalEncoderCore.distance(c, a) <= TerminalEncoderCore.distance(c, b) ? a : b
        guard other.isRGB, DamageTracker.close(c, other, 2 * tol) else { return want }
        return TerminalEncoderCore.average(want, other.raw)
    }

    @inline(__always) static func distance(_ a: CellColor, _ b: CellColor) -> Int {
        abs(Int(a.r) - Int(b.r)) + abs(Int(a.g) - Int(b.g)) + abs(Int(a.b) - Int(b.b))
    }

    /// Index of the nearest cube level for each channel value.
    static let nearestLevelTable: [UInt8] = (0..<256).map { v in
        UInt8(Palette256.cubeLevels.indices.min { abs(Int(Palette256.cubeLevels[$0]) - v) < abs(Int(Palette256.cubeLevels[$1]) - v) }!)
    }

    /// Index of each channel value in the cube levels, -1 when not a level.
    static let levelIndexTable: [Int8] = (0..<256).map { v in
        Int8(Palette256.cubeLevels.firstIndex(of: UInt8(v)) ?? -1)
    }

    /// The 256-palette entry (16...255) whose standard RGB is exactly this colour.
    @inline(__always) func paletteCode(_ c: CellColor) -> Int? {
        guard usePaletteCodes else { return nil }
        let t = levelIndex
        let r = Int(t[Int(c.r)]), g = Int(t[Int(c.g)]), b = Int(t[Int(c.b)])
        if r >= 0 && g >= 0 && b >= 0 { return 16 + 36 * r + 6 * g + b }
        if c.r == c.g && c.g == c.b && c.r >= 8 && c.r <= 238 && (c.r - 8) % 10 == 0 { return 232 + Int(c.r - 8) / 10 }
        return nil
    }

    @inline(__always) static func average(_ a: UInt32, _ b: UInt32) -> UInt32 {
        // Per channel (a + b + 1) / 2 without carries crossing channels.
        (a | b) &- (((a ^ b) >> 1) & 0x7F7F7F)
    }

    func cellCost(_ c: Cell, _ s: inout State) -> Int {
        if c.glyph == Glyphs.wideTail { return 0 }
        let p = plan(c, s)
        let cost = sgrCost(fg: p.fg, bg: p.bg, s) + utf8Length(p.glyph)
        if p.fg != TerminalEncoderCore.none && differs(p.fg, s.fg) { s.fg = p.fg }
        if p.bg != TerminalEncoderCore.none && differs(p.bg, s.bg) { s.bg = p.bg }
        return cost
    }

    /// Writes one cell and returns what the terminal now shows there.
    mutating func emit(_ c: Cell, cols: Int, col: Int, next: Cell? = nil) -> Cell {
        let p = plan(c, state)
        let setFg = p.fg != TerminalEncoderCore.none && (p.exact ? p.fg != state.fg : differs(p.fg, state.fg))
        let setBg = p.bg != TerminalEncoderCore.none && (p.exact ? p.bg != state.bg : differs(p.bg, state.bg))
        if setFg || setBg {
            var vf = setFg ? p.fg : state.fg, vb = setBg ? p.bg : state.bg
            if tol > 0 && !p.exact {
                // Within the tolerance, prefer cheaper or shareable colours, as long as the cell
                // still looks within the tolerance of what it should show.
                let cf = setFg ? choose(p.fg, next) : vf, cb = setBg ? choose(p.bg, next) : vb
                if (cf != vf || cb != vb) && looksClose(p.glyph, cf, cb, c) { vf = cf; vb = cb }
            }
            write("\u{1B}[")
            if setFg { writeColor(vf, foreground: true); state.fg = vf }
            if setFg && setBg { writeByte(UInt8(ascii: ";")) }
            if setBg { writeColor(vb, foreground: false); state.bg = vb }
            writeByte(UInt8(ascii: "m"))
        }
        writeScalar(p.glyph)
        state.col = col + 1
        // Past the last column the cursor waits to wrap: its position is no longer certain.
        if state.col >= cols { state.row = -1; state.col = -1 }
        // What is on screen: the glyph in the terminal's current colours (a colour the glyph does
        // not use is stored as the one it does, so the cell compares by its look).
        let bg = p.glyph == quadrant[15] ? state.fg : state.bg
        let fg = p.glyph == " " ? state.bg : state.fg
        return Cell(glyph: p.glyph, fg: CellColor(raw: fg), bg: CellColor(raw: bg))
    }

    // MARK: - byte costs

    func sgrCost(fg: UInt32, bg: UInt32, _ s: State) -> Int {
        let f = fg != TerminalEncoderCore.none && differs(fg, s.fg)
        let b = bg != TerminalEncoderCore.none && differs(bg, s.bg)
        if !f && !b { return 0 }
        var n = 3
        if f { n += paramLength(fg, foreground: true) }
        if b { n += paramLength(bg, foreground: false) }
        if f && b { n += 1 }
        return n
    }

    func paramLength(_ raw: UInt32, foreground: Bool) -> Int {
        let c = CellColor(raw: raw)
        if c.isRGB {
            if let i = paletteCode(c) { return 5 + digits(i) }
            return 7 + digits(Int(c.r)) + digits(Int(c.g)) + digits(Int(c.b))
        }
        if c.isPalette {
            let i = Int(c.paletteIndex)
            if i < 8 { return 2 }
            if i < 16 { return foreground ? 2 : 3 }
            return 5 + digits(i)
        }
        return 2
    }

    @inline(__always) func digits(_ n: Int) -> Int {
        if n < 10 { return 1 }
        if n < 100 { return 2 }
        if n < 1000 { return 3 }
        var d = 4, v = n / 10_000
        while v > 0 { v /= 10; d += 1 }
        return d
    }

    @inline(__always) func utf8Length(_ s: Unicode.Scalar) -> Int {
        s.value < 0x80 ? 1 : (s.value < 0x800 ? 2 : (s.value < 0x10000 ? 3 : 4))
    }

    // MARK: - writing

    mutating func writeColor(_ raw: UInt32, foreground: Bool) {
        let c = CellColor(raw: raw)
        if c.isRGB, let i = paletteCode(c) {
            write(foreground ? "38;5;" : "48;5;"); writeNumber(i)
        } else if c.isRGB {
            write(foreground ? "38;2;" : "48;2;")
            writeNumber(Int(c.r)); writeByte(UInt8(ascii: ";"))
            writeNumber(Int(c.g)); writeByte(UInt8(ascii: ";"))
            writeNumber(Int(c.b))
        } else if c.isPalette {
            let i = Int(c.paletteIndex)
            if i < 8 { writeNumber((foreground ? 30 : 40) + i) }
            else if i < 16 { writeNumber((foreground ? 90 : 100) + i - 8) }
            else { write(foreground ? "38;5;" : "48;5;"); writeNumber(i) }
        } else {
            writeNumber(foreground ? 39 : 49)
        }
    }

    @inline(__always) mutating func reserve(_ n: Int) {
        if byteCount + n <= capacity { return }
        let newCapacity = max(capacity * 2, byteCount + n)
        let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        nb.update(from: buffer, count: byteCount)
        buffer.deallocate()
        buffer = nb; capacity = newCapacity
    }

    @inline(__always) mutating func writeByte(_ b: UInt8) {
        reserve(1); buffer[byteCount] = b; byteCount += 1
    }

    mutating func write(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        reserve(n)
        (buffer + byteCount).update(from: s.utf8Start, count: n)
        byteCount += n
    }

    @inline(__always) mutating func writeNumber(_ n: Int) {
        if n < 1000 {
            // Colour channels and palette indices: one table load, no per-digit arithmetic.
            let packed = decimal[n]
            let len = Int(packed >> 24)
            reserve(3)
            let p = buffer + byteCount
            p[0] = UInt8(truncatingIfNeeded: packed)
            p[1] = UInt8(truncatingIfNeeded: packed >> 8)
            p[2] = UInt8(truncatingIfNeeded: packed >> 16)
            byteCount += len
            return
        }
        if n >= 10_000 { writeNumber(n / 10_000); writeNumber4(n % 10_000); return }
        if n >= 1000 { writeByte(UInt8(48 + n / 1000 % 10)) }
        if n >= 100 { writeByte(UInt8(48 + n / 100 % 10)) }
        if n >= 10 { writeByte(UInt8(48 + n / 10 % 10)) }
        writeByte(UInt8(48 + n % 10))
    }

    mutating func writeNumber4(_ n: Int) {
        writeByte(UInt8(48 + n / 1000)); writeByte(UInt8(48 + n / 100 % 10))
        writeByte(UInt8(48 + n / 10 % 10)); writeByte(UInt8(48 + n % 10))
    }

    @inline(__always) mutating func writeScalar(_ s: Unicode.Scalar) {
        let v = s.value
        reserve(4)
        if v < 0x80 { writeByte(UInt8(v)) }
        else if v < 0x800 { writeByte(UInt8(0xC0 | v >> 6)); writeByte(UInt8(0x80 | v & 0x3F)) }
        else if v < 0x10000 {
            writeByte(UInt8(0xE0 | v >> 12)); writeByte(UInt8(0x80 | v >> 6 & 0x3F)); writeByte(UInt8(0x80 | v & 0x3F))
        } else {
            writeByte(UInt8(0xF0 | v >> 18)); writeByte(UInt8(0x80 | v >> 12 & 0x3F))
            writeByte(UInt8(0x80 | v >> 6 & 0x3F)); writeByte(UInt8(0x80 | v & 0x3F))
        }
    }
}
