#if canImport(Glibc)
import Glibc
#endif
import Render

/// The escape sequences that bring the terminal's video cells from what they show to a new grid.
/// Owned by the render worker: the damage tracker knows what the terminal shows only because every
/// `VideoOutput` it makes is written, in order, by the UI thread (after ncurses' update, so the bytes
/// never interleave with ncurses'). Any output the UI drops comes with a new generation, and a new
/// generation makes the next draw complete (ncurses repainted, or the pane moved).
final class VideoPane {
    /// Largest per-channel colour difference treated as unchanged (Render's default).
    static let damageTolerance = DamageTracker.defaultTolerance

    private let damage = DamageTracker(tolerance: VideoPane.damageTolerance)
    private let encoder = TerminalEncoder(reuseTolerance: VideoPane.damageTolerance)
    private var generation: Int?

    /// The bytes for the cells of `grid` that differ from what the terminal shows, placed at the
    /// pane's 0-based terminal `origin`, between DECSC and DECRC so that ncurses' cursor and
    /// colours are untouched.
    func draw(_ grid: CellGrid, origin: (x: Int, y: Int), generation: Int) -> VideoOutput {
        if generation != self.generation {
            damage.invalidate()
            self.generation = generation
        }
        let changed = damage.update(with: grid)
        guard changed > 0 else { return VideoOutput(bytes: [], changedCells: 0, generation: generation) }
        // ncurses wrote to the terminal since the last draw: colours and cursor are unknown.
        encoder.resetState()
        encoder.origin = (origin.y + 1, origin.x + 1)
        encoder.clearOutput()
        encoder.encode(damage)
        encoder.finish()
        var out = VideoPane.saveCursor
        encoder.withBytes { out.append(contentsOf: $0) }
        out.append(contentsOf: VideoPane.restoreCursor)
        return VideoOutput(bytes: out, changedCells: changed, generation: generation)
    }

    /// DECSC / DECRC: save and restore cursor position and attributes around the video output.
    static let saveCursor: [UInt8] = Array("\u{1B}7".utf8)
    static let restoreCursor: [UInt8] = Array("\u{1B}8".utf8)
}

/// One draw of the video pane, ready for the terminal.
struct VideoOutput: Sendable {
    var bytes: [UInt8]
    var changedCells: Int
    /// The UI's video generation the draw was made for: a stale one is dropped, not written.
    var generation: Int

    /// write(2) until everything is out (the terminal may take it in pieces).
    func write(to fd: Int32 = STDOUT_FILENO) {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR || errno == EAGAIN { continue }; return }
                off += n
            }
        }
    }
}
