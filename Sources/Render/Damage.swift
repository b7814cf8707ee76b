/// Tracks what the terminal shows and reports which cells of a new grid differ from it, so the UI
/// redraws the minimum. Cells within the tolerance are left as shown; comparing against what is
/// shown (not the previous frame) keeps slow drifts from accumulating past the tolerance.
public final class DamageTracker {
    /// What the terminal shows after the last `update`.
    public private(set) var shown: CellGrid
    /// Row-major indices of the cells that changed in the last `update`, ascending.
    public private(set) var changed: [Int32] = []
    /// Default tolerance: 4 of 255 per channel, below what is visible in moving video.
    public static let defaultTolerance = 4
    /// Largest per-channel difference of 24-bit colours treated as unchanged (0 = exact).
    public var tolerance: Int
    /// Whether cells showing two contrasting colours get up to twice the tolerance: next to a
    /// strong edge or in texture, small colour errors are masked (as video codecs exploit).
    public var contrastMasking: Bool
    private var valid = false

    /// `tolerance`: largest per-channel difference between 24-bit colours treated as unchanged.
    public init(tolerance: Int = DamageTracker.defaultTolerance, contrastMasking: Bool = true) {
        self.tolerance = tolerance
        self.contrastMasking = contrastMasking
        shown = CellGrid(cols: 0, rows: 0)
    }

    /// Forgets what is shown: the next update reports every cell (after a terminal clear or resize).
    public func invalidate() { valid = false }

    /// Compares `grid` with what is shown, records the changed cells in `changed`, updates `shown`
    /// and returns how many changed. A different box size reports every cell.
    @discardableResult
    public func update(with grid: CellGrid) -> Int {
        changed.removeAll(keepingCapacity: true)
        let n = grid.cells.count
        if !valid || grid.cols != shown.cols || grid.rows != shown.rows {
            shown = grid
            changed.reserveCapacity(n)
            for i in 0..<n { changed.append(Int32(i)) }
            valid = true
            return n
        }
        shown.videoRect = grid.videoRect
        let base = UInt32(max(0, tolerance)), masking = contrastMasking
        // Work on a local list: appending to a stored property would check exclusivity every time.
        var list: [Int32] = []
        swap(&list, &changed)
        grid.cells.withUnsafeBufferPointer { new in
            shown.cells.withUnsafeMutableBufferPointer { old in
                for i in 0..<n {
                    let a = new[i], b = old[i]
                    let tol = masking ? DamageTracker.maskedTolerance(a, base) : base
                    if a.glyph == b.glyph && DamageTracker.close(a.fg, b.fg, tol) && DamageTracker.close(a.bg, b.bg, tol) {
                        continue
                    }
                    if DamageTracker.sameLook(a, b, tol) { continue }
                    old[i] = a
                    list.append(Int32(i))
                }
            }
        }
        swap(&list, &changed)
        return changed.count
    }

    /// Gives the encoder the shown cells to record what it actually drew.
    func withShownCells(_ body: (UnsafeMutablePointer<Cell>, Int, UnsafeBufferPointer<Int32>) -> Void) {
        let cols = shown.cols
        if shown.cells.isEmpty { return }
        changed.withUnsafeBufferPointer { idx in
            shown.cells.withUnsafeMutableBufferPointer { cells in body(cells.baseAddress!, cols, idx) }
        }
    }

    /// The tolerance for cell `c` with contrast masking: `base` plus a quarter of the largest
    /// channel difference between its two colours, at most twice `base`.
    @inline(__always) static func maskedTolerance(_ c: Cell, _ base: UInt32) -> UInt32 {
        let f = c.fg.raw, b = c.bg.raw
        guard base > 0, (f | b) >> 24 == 0, f != b, let m = Glyphs.mask(of: c.glyph), m != 0, m != 15 else { return base }
        @inline(__always) func d(_ s: UInt32) -> UInt32 {
            let p = f >> s & 0xFF, q = b >> s & 0xFF
            return p > q ? p - q : q - p
        }
        return base + min(base, max(d(16), d(8), d(0)) >> 2)
    }

    /// Whether two colours are equal or both 24-bit and within `tol` on every channel.
    @inline(__always) static func close(_ a: CellColor, _ b: CellColor, _ tol: UInt32) -> Bool {
        if a.raw == b.raw { return true }
        if tol == 0 || (a.raw | b.raw) >> 24 != 0 { return false }
        let x = a.raw, y = b.raw
        @inline(__always) func d(_ s: UInt32) -> UInt32 {
            let p = x >> s & 0xFF, q = y >> s & 0xFF
            return p > q ? p - q : q - p
        }
        return d(16) <= tol && d(8) <= tol && d(0) <= tol
    }

    /// Cells that look alike though stored differently: block glyphs whose four quadrants show
    /// colours within `tol` of each other (`▀` fg/bg against `▄` bg/fg, a one-colour cell drawn as
    /// space or `█`, a nearly uniform cell drawn in one colour).
    @inline(__always) static func sameLook(_ a: Cell, _ b: Cell, _ tol: UInt32) -> Bool {
        guard let ma = Glyphs.mask(of: a.glyph), let mb = Glyphs.mask(of: b.glyph) else { return false }
        // The terminal's default fg and bg differ although both are stored as `terminalDefault`.
        if a.fg.isDefault || a.bg.isDefault || b.fg.isDefault || b.bg.isDefault { return false }
        for q in 0..<4 {
            let bit = 1 << q
            let ca = ma & bit != 0 ? a.fg : a.bg, cb = mb & bit != 0 ? b.fg : b.bg
            if !close(ca, cb, tol) { return false }
        }
        return true
    }
}
