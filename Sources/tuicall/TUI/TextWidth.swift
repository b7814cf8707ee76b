import CNcursesw

/// Display widths of text in terminal cells, and the clean-up text from the network needs
/// before it is drawn.
enum TextWidth {
    /// Cells one scalar takes: 0 for combining marks, 2 for wide (CJK, most emoji), else 1.
    static func cells(_ s: Unicode.Scalar) -> Int {
        if s.value < 0x7F { return s.value >= 0x20 ? 1 : 0 }
        let w = Int(tui_wcwidth(s.value))
        return w < 0 ? 1 : w
    }

    static func cells(_ text: String) -> Int { text.unicodeScalars.reduce(0) { $0 + cells($1) } }

    /// Replaces control characters (escape sequences from a peer must not reach the terminal)
    /// and, without UTF-8, everything outside ASCII, by `?`, and drops text-direction controls: a U+202E
    /// in a chat line must not reorder the rest of the screen line in terminals that do bidi.
    static func sanitize(_ text: String, asciiOnly: Bool) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if isBidiControl(s) { continue }
            if s.value < 0x20 || s.value == 0x7F || (s.value >= 0x80 && s.value < 0xA0) {
                out.append(s == "\t" ? " " : "?")
            } else if asciiOnly && s.value >= 0x80 {
                out.append("?")
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    /// Embeddings, overrides, isolates and marks (U+061C, U+200E/F, U+202A–E, U+2066–9).
    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// The longest prefix of `text` that fits in `width` cells.
    static func prefix(_ text: String, width: Int) -> String {
        var out = String.UnicodeScalarView(), used = 0
        for s in text.unicodeScalars {
            let w = cells(s)
            if used + w > width { break }
            out.append(s); used += w
        }
        return String(out)
    }

    /// `text` cut to `width` cells, with `…` (or `~` without UTF-8) when cut.
    static func truncate(_ text: String, width: Int, utf8: Bool) -> String {
        guard width > 0 else { return "" }
        if cells(text) <= width { return text }
        return prefix(text, width: width - 1) + (utf8 ? "…" : "~")
    }

    /// Greedy word wrap into lines of at most `width` cells (long words are split).
    static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = String.UnicodeScalarView(), used = 0
        var lastSpace: Int?  // index in `line` after the last space
        for s in text.unicodeScalars {
            let w = cells(s)
            if used + w > width {
                if let cut = lastSpace, cut > 0 {
                    let arr = Array(line)
                    lines.append(String(String.UnicodeScalarView(arr[0..<cut])).trimmingTrailingSpaces())
                    line = String.UnicodeScalarView(arr[cut...])
                    used = arr[cut...].reduce(0) { $0 + cells($1) }
                } else {
                    lines.append(String(line))
                    line = String.UnicodeScalarView(); used = 0
                }
                lastSpace = nil
                if s == " " && used == 0 { continue }
            }
            line.append(s); used += w
            if s == " " { lastSpace = line.count }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(String(line)) }
        return lines
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = self
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }
}
