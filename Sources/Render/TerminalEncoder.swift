/// Emits the escape sequences that bring a terminal from what it showed to a cell grid: CUP / CUF
/// cursor moves, SGR 38;2 / 48;2 (24-bit), 38;5 / 48;5 (256), 30–37 / 90–97 (16) and 39 / 49
/// (defaults). It writes only the given cells, skips SGR and cursor moves the terminal state makes
/// redundant, draws block glyphs in whichever of two equivalent forms needs fewer colour changes
/// (`▀` fg/bg = `▄` bg/fg, a one-colour cell as space or `█`), and rewrites short runs of unchanged
/// cells when that is shorter than moving over them.
///
/// The terminal state (colours, cursor) persists across `encode` calls, as it does on a real
/// terminal; call `resetState()` when something else may have written to the terminal.
public final class TerminalEncoder {
    /// Default output bytes reserved up front (a 24-bit 160×48 frame; it grows when needed).
    public static let defaultInitialCapacity = 1 << 16
    /// Longest run of unchanged cells that may be rewritten instead of moved over.
    public static let maxRewriteRun = TerminalEncoderCore.maxRewriteRun
    /// Largest per-channel difference at which a 24-bit colour the terminal already has is reused
    /// instead of sending the exact one (0 = exact). Only `encode(_: DamageTracker)` uses it, because
    /// it records the colours actually shown.
    public var reuseTolerance: Int
    /// Whether cells of two contrasting colours get up to twice the tolerance (see `DamageTracker.contrastMasking`).
    public var contrastMasking = true

    /// Bytes written since the last `clearOutput()`.
    public var byteCount: Int { core.byteCount }
    private var core: TerminalEncoderCore

    /// `origin`: terminal row and column (1-based) of the box's top-left cell.
    /// `reuseTolerance`, `usePaletteCodes`: see the properties; `initialCapacity`: output bytes reserved up front.
    public init(origin: (row: Int, col: Int) = (1, 1), reuseTolerance: Int = 0, usePaletteCodes: Bool = true,
                initialCapacity: Int = TerminalEncoder.defaultInitialCapacity) {
        self.reuseTolerance = reuseTolerance
        core = TerminalEncoderCore(origin: origin, usePaletteCodes: usePaletteCodes, capacity: max(64, initialCapacity))
    }

    deinit { core.buffer.deallocate() }

    /// Terminal row and column (1-based) of the box's top-left cell.
    public var origin: (row: Int, col: Int) {
        get { core.origin }
        set { core.origin = newValue }
    }
    /// Whether 24-bit colours equal to an xterm cube or grey entry (16...255) are sent as the
    /// shorter 38;5;N, and colours within `reuseTolerance` of one are moved onto it. Assumes the
    /// terminal keeps xterm's standard values for those entries, as nearly all do.
    public var usePaletteCodes: Bool {
        get { core.usePaletteCodes }
        set { core.usePaletteCodes = newValue }
    }

    /// The bytes written since the last `clearOutput()`.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: core.buffer, count: core.byteCount)) }

    /// Calls `body` with the bytes written since the last `clearOutput()` (e.g. to write them out).
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: core.buffer, count: core.byteCount))
    }

    /// Drops the written bytes, keeping the terminal state.
    public func clearOutput() { core.byteCount = 0 }

    /// Forgets the terminal's colours and cursor position: the next cell sets them explicitly.
    public func resetState() { core.state = TerminalEncoderCore.State() }

    /// Writes every cell of `grid` exactly.
    public func encodeAll(_ grid: CellGrid) {
        var c = core
        defer { core = c }
        c.baseTol = 0; c.masking = false
        grid.cells.withUnsafeBufferPointer { cells in
            guard let base = cells.baseAddress else { return }
            let p = UnsafeMutablePointer(mutating: base)
            for i in 0..<cells.count { c.place(i, p, cols: grid.cols, writeBack: false) }
        }
    }

    /// Writes the cells of `grid` at the row-major `indices` (ascending) exactly.
    public func encode(_ grid: CellGrid, indices: [Int32]) {
        var c = core
        defer { core = c }
        c.baseTol = 0; c.masking = false
        grid.cells.withUnsafeBufferPointer { cells in
            guard let base = cells.baseAddress else { return }
            let p = UnsafeMutablePointer(mutating: base)
            indices.withUnsafeBufferPointer { idx in
                for i in idx { c.place(Int(i), p, cols: grid.cols, writeBack: false) }
            }
        }
    }

    /// Writes the cells `damage` reported changed in its last update, reusing colours within
    /// `reuseTolerance`, and records in `damage.shown` what the terminal now shows.
    public func encode(_ damage: DamageTracker) {
        var c = core
        defer { core = c }
        c.baseTol = UInt32(max(0, reuseTolerance)); c.masking = contrastMasking
        damage.withShownCells { cells, cols, changed in
            for k in 0..<changed.count {
                let i = Int(changed[k])
                // The next cell to draw, when it follows on the same row: colours are picked to suit both.
                let hasNext = k + 1 < changed.count && Int(changed[k + 1]) == i + 1 && (i + 1) % cols != 0
                c.place(i, cells, cols: cols, writeBack: true, next: hasNext ? cells[i + 1] : nil)
            }
        }
    }

    /// Resets the terminal's colours (SGR 0) at the end of a drawing, so later text is unaffected.
    public func finish() {
        core.write("\u{1B}[0m")
        core.state.fg = TerminalEncoderCore.unknown; core.state.bg = TerminalEncoderCore.unknown
    }
}
