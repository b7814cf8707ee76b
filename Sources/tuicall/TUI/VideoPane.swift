#if canImport(Glibc)
import Glibc
#endif
import Render

/// The video pane on the terminal, drawn outside ncurses: each composed grid (from the render
/// worker) goes through the damage tracker, which finds the cells that differ from what the
/// terminal shows, and the Render encoder's escape sequences for just those cells are written
/// straight to the terminal after ncurses' update, between DECSC and DECRC so that ncurses'
/// cursor and colours are untouched. ncurses holds only a marker glyph in these cells and never
/// redraws them except on a full repaint, after which `invalidate()` makes the next draw complete.
final class VideoPane {
    /// Largest per-channel colour difference treated as unchanged (Render's default).
    static let damageTolerance = DamageTracker.defaultTolerance

    /// Terminal rectangle of the pane (0-based).
    private(set) var rect = Rect(x: 0, y: 0, w: 0, h: 0)
    private let damage = DamageTracker(tolerance: VideoPane.damageTolerance)
    private let encoder = TerminalEncoder(reuseTolerance: VideoPane.damageTolerance)
    private var out: [UInt8] = []
    private var lastGrid: CellGrid?

    /// Cells and bytes written by the last draw, for the stats overlay.
    private(set) var lastChangedCells = 0
    private(set) var lastBytes = 0

    /// Moves or resizes the pane; the old picture no longer fits.
    func setRect(_ r: Rect) {
        if r != rect { rect = r; lastGrid = nil; invalidate() }
    }

    /// Forgets what the terminal shows (after ncurses repainted the screen).
    func invalidate() { damage.invalidate() }

    /// Draws the last grid again in full (after a repaint), when it still fits the pane.
    func redrawLast() {
        if let g = lastGrid { present(g) }
    }

    /// Writes the cells of `grid` that differ from what the terminal shows.
    func present(_ grid: CellGrid) {
        guard rect.w > 0, rect.h > 0, grid.cols == rect.w, grid.rows == rect.h else { return }
        lastGrid = grid
        lastChangedCells = damage.update(with: grid)
        guard lastChangedCells > 0 else { lastBytes = 0; return }
        // ncurses wrote to the terminal since the last draw: colours and cursor are unknown.
        encoder.resetState()
        encoder.origin = (rect.y + 1, rect.x + 1)
        encoder.clearOutput()
        encoder.encode(damage)
        encoder.finish()
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: VideoPane.saveCursor)
        encoder.withBytes { out.append(contentsOf: $0) }
        out.append(contentsOf: VideoPane.restoreCursor)
        lastBytes = out.count
        VideoPane.writeAll(out)
    }

    /// DECSC / DECRC: save and restore cursor position and attributes around the video output.
    static let saveCursor: [UInt8] = Array("\u{1B}7".utf8)
    static let restoreCursor: [UInt8] = Array("\u{1B}8".utf8)

    /// write(2) until everything is out (the terminal may take it in pieces).
    static func writeAll(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(STDOUT_FILENO, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return }
                off += n
            }
        }
    }
}
