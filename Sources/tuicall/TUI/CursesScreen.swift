import CNcursesw
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// How a piece of the UI chrome looks; mapped to colour pairs or, without colour, attributes.
enum Style: Int, CaseIterable {
    case normal, title, selected, selectedUnfocused, you, inCall, system, own, name, status, warning, hint, input, divider, ringing
}

/// A key or mouse press from ncurses.
enum KeyInput: Equatable {
    case char(Unicode.Scalar)
    /// An ncurses KEY_* code.
    case function(Int32)
    case mouse(row: Int, col: Int, buttons: UInt32)
    /// Bracketed paste (DECSET 2004): what comes between is pasted text, never commands.
    case pasteBegin, pasteEnd
}

/// The ncurses screen, owned by the UI thread: start-up (cbreak, no echo, keypad, mouse, colours,
/// no cursor), text drawing in styles, key reading without blocking, and restoring the terminal.
/// ncurses is never told about the video cells: `reserve` fills them with a marker glyph so that
/// its update never clears or shifts across them (see `VideoPane`).
final class CursesScreen {
    /// ms ncurses waits after ESC for the rest of a key sequence (its default, 1 s, makes Esc feel dead).
    static let escDelayMs: Int32 = 25

    let utf8: Bool
    let hasColor: Bool
    /// terminfo colours (0 without colour).
    let colors: Int
    /// terminfo's RGB flag (direct colour, e.g. TERM=xterm-direct).
    let terminfoRGB: Bool
    private var ended = false
    private var attrs: [Style: (attr: Int32, pair: Int16)] = [:]

    /// Starts ncurses on the controlling terminal; throws when stdin/stdout is not a terminal or TERM is unknown.
    init(utf8: Bool) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw CLIError("tuicall client needs a terminal on stdin and stdout (run it in a terminal, not a pipe)")
        }
        guard tui_newterm() != nil else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw CLIError("cannot drive the terminal TERM=\(term): install its terminfo entry or set TERM=xterm-256color")
        }
        self.utf8 = utf8
        let win = tui_stdscr()
        cbreak()          // keys at once; Ctrl-C still raises SIGINT (handled: the terminal is restored)
        noecho()
        nonl()
        keypad(win, true)
        nodelay(win, true)
        leaveok(win, true)
        // No insert/delete of characters or lines: they would shift the video cells ncurses does not know.
        idlok(win, false)
        idcok(win, false)
        scrollok(win, false)
        set_escdelay(CursesScreen.escDelayMs)
        curs_set(0)
        hasColor = has_colors()
        terminfoRGB = tigetflag("RGB") > 0
        if hasColor {
            start_color()
            use_default_colors()
            colors = Int(tui_colors())
        } else {
            colors = 0
        }
        mousemask(tui_mouse_all(), nil)
        mouseinterval(0)  // presses at once, no click detection delay
        define_key("\u{1B}[200~", tui_key_paste_begin())
        define_key("\u{1B}[201~", tui_key_paste_end())
        CursesScreen.writeRaw(CursesScreen.enableModes)
        setUpStyles()
    }

    /// Bracketed paste on, and the window title saved on xterm's title stack (restored at exit).
    static let enableModes = "\u{1B}[?2004h\u{1B}[22;0t"
    static let disableModes = "\u{1B}[?2004l\u{1B}[23;0t"

    /// Bytes straight to the terminal, outside ncurses' buffer (modes it does not know, titles, bells).
    static func writeRaw(_ text: String) {
        tui_flush_stdout()
        var bytes = Array(text.utf8)
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress! + off, $0.count - off) }
            if n <= 0 { if errno == EINTR { continue }; break }
            off += n
        }
    }

    deinit { end() }

    /// Restores the terminal (mouse reporting off, cursor on, main screen); safe to call twice.
    func end() {
        guard !ended else { return }
        ended = true
        mousemask(0, nil)
        curs_set(1)
        endwin()
        CursesScreen.writeRaw(CursesScreen.disableModes)
    }

    /// Gives the terminal back for a suspend (Ctrl-Z): mouse reporting off, cursor on, main screen.
    func suspend() {
        guard !ended else { return }
        mousemask(0, nil)
        curs_set(1)
        endwin()
        tui_flush_stdout()
        CursesScreen.writeRaw("\u{1B}[?2004l")
    }

    /// Takes the terminal again after a suspend (the next `flush(full: true)` repaints it).
    func resume() {
        guard !ended else { return }
        doupdate()  // leaves endwin's shell mode: program mode and the alternate screen again
        curs_set(0)
        mousemask(tui_mouse_all(), nil)
        CursesScreen.writeRaw("\u{1B}[?2004h")
    }

    var rows: Int { Int(tui_lines()) }
    var cols: Int { Int(tui_cols()) }

    private func setUpStyles() {
        let bold = tui_attr_bold(), rev = tui_attr_reverse(), dim = tui_attr_dim(), normal = tui_attr_normal()
        guard hasColor, tui_color_pairs() > 16 else {
            attrs = [.normal: (normal, 0), .title: (bold, 0), .selected: (rev, 0), .selectedUnfocused: (bold | tui_attr_underline(), 0),
                     .you: (bold, 0), .inCall: (bold, 0), .system: (dim, 0), .own: (normal, 0), .name: (bold, 0),
                     .status: (rev, 0), .warning: (rev | bold, 0), .hint: (normal, 0), .input: (normal, 0), .divider: (normal, 0),
                     .ringing: (rev | bold, 0)]
            return
        }
        // Pairs 1...: foreground on the terminal's own background (-1) unless a bar needs a fill.
        let table: [(Style, Int16, Int16, Int32)] = [
            (.title, Int16(COLOR_CYAN), -1, bold),
            (.selected, Int16(COLOR_BLACK), Int16(COLOR_CYAN), normal),
            (.selectedUnfocused, Int16(COLOR_CYAN), -1, bold),
            (.you, Int16(COLOR_GREEN), -1, bold),
            (.inCall, Int16(COLOR_MAGENTA), -1, bold),
            (.system, Int16(COLOR_YELLOW), -1, normal),
            (.own, Int16(COLOR_GREEN), -1, normal),
            (.name, Int16(COLOR_CYAN), -1, bold),
            (.status, Int16(COLOR_WHITE), Int16(COLOR_BLUE), bold),
            (.warning, Int16(COLOR_BLACK), Int16(COLOR_YELLOW), normal),
            (.hint, -1, -1, dim),
            (.input, -1, -1, normal),
            (.divider, Int16(COLOR_BLUE), -1, normal),
            (.ringing, Int16(COLOR_WHITE), Int16(COLOR_RED), bold),
        ]
        attrs[.normal] = (normal, 0)
        for (i, entry) in table.enumerated() {
            let pair = Int16(i + 1)
            init_pair(pair, entry.1, entry.2)
            attrs[entry.0] = (entry.3, pair)
        }
    }

    /// Draws `text` at row `y`, column `x`, cut to `width` cells and padded with spaces to fill it.
    func put(_ y: Int, _ x: Int, _ text: String, width: Int, style: Style = .normal) {
        guard width > 0, y >= 0, y < rows, x >= 0, x < cols else { return }
        let w = min(width, cols - x)
        var t = TextWidth.prefix(TextWidth.sanitize(text, asciiOnly: !utf8), width: w)
        let used = TextWidth.cells(t)
        if used < w { t += String(repeating: " ", count: w - used) }
        let a = attrs[style] ?? (0, 0)
        let win = tui_stdscr()
        wattr_set(win, attr_t(bitPattern: a.attr), a.pair, nil)
        mvwaddnstr(win, Int32(y), Int32(x), t, -1)
        wattr_set(win, 0, 0, nil)
    }

    /// Draws `text` at row `y`, column `x` without padding; returns the column after it.
    @discardableResult
    func write(_ y: Int, _ x: Int, _ text: String, maxWidth: Int, style: Style = .normal) -> Int {
        guard maxWidth > 0 else { return x }
        let t = TextWidth.prefix(TextWidth.sanitize(text, asciiOnly: !utf8), width: maxWidth)
        let a = attrs[style] ?? (0, 0)
        let win = tui_stdscr()
        wattr_set(win, attr_t(bitPattern: a.attr), a.pair, nil)
        mvwaddnstr(win, Int32(y), Int32(x), t, -1)
        wattr_set(win, 0, 0, nil)
        return x + TextWidth.cells(t)
    }

    /// Fills `rect` with marker glyphs ncurses will leave alone: the video is drawn there directly.
    /// Non-blank, so ncurses never clears to end of line or screen across the video; different on
    /// every row (a braille pattern, or an ASCII character, per row), so no two lines are ever equal
    /// and ncurses' scroll optimisation never shifts video rows.
    func reserve(_ rect: Rect) {
        guard rect.w > 0 else { return }
        for r in rect.y..<(rect.y + rect.h) {
            let mark = CursesScreen.marker(row: r, utf8: utf8)
            put(r, rect.x, String(repeating: String(mark), count: rect.w), width: rect.w, style: .hint)
        }
    }

    /// The marker glyph of row `row`: U+2801... (braille) with UTF-8, `!`... (printable ASCII) without.
    static func marker(row: Int, utf8: Bool) -> Unicode.Scalar {
        utf8 ? Unicode.Scalar(0x2801 + UInt32(row % 255))! : Unicode.Scalar(UInt8(33 + row % 94))
    }

    func erase() { werase(tui_stdscr()) }

    /// Sends the drawing to the terminal; `full` repaints every cell (after a resize or a SIGCONT).
    func flush(full: Bool = false) {
        if full { clearok(tui_curscr(), true) }
        wnoutrefresh(tui_stdscr())
        doupdate()
    }

    /// Tells ncurses the terminal's new size (from the SIGWINCH handler's wake-up).
    func resize(rows: Int, cols: Int) {
        resizeterm(Int32(rows), Int32(cols))
    }

    /// The next key or mouse press, without waiting; nil when none is pending.
    func nextKey() -> KeyInput? {
        var ch: wint_t = 0
        let rc = wget_wch(tui_stdscr(), &ch)
        if rc == ERR { return nil }
        if rc == KEY_CODE_YES {
            let code = Int32(bitPattern: ch)
            if code == tui_key_paste_begin() { return .pasteBegin }
            if code == tui_key_paste_end() { return .pasteEnd }
            if code == KEY_MOUSE {
                var row: Int32 = 0, col: Int32 = 0
                var buttons: mmask_t = 0
                guard tui_getmouse(&row, &col, &buttons) == OK else { return nextKey() }
                return .mouse(row: Int(row), col: Int(col), buttons: buttons)
            }
            return .function(code)
        }
        guard let s = Unicode.Scalar(UInt32(ch)) else { return nextKey() }
        return .char(s)
    }
}
