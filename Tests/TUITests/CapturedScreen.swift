/// A colour as tmux reports it in `capture-pane -e`.
enum CapturedColor: Hashable {
    case terminalDefault
    case palette(Int)
    case rgb(Int, Int, Int)
}

/// One cell of a captured pane.
struct CapturedCell: Equatable {
    var glyph: Unicode.Scalar
    var fg: CapturedColor
    var bg: CapturedColor
}

/// Parses `tmux capture-pane -p -e` output (text with SGR sequences) into rows of cells.
enum CapturedScreen {
    static func parse(_ text: String) -> [[CapturedCell]] {
        var rows: [[CapturedCell]] = [[]]
        var fg = CapturedColor.terminalDefault, bg = CapturedColor.terminalDefault
        let s = Array(text.unicodeScalars)
        var i = 0
        while i < s.count {
            let c = s[i]
            if c == "\u{1B}", i + 1 < s.count, s[i + 1] == "[" {
                var j = i + 2, params = ""
                while j < s.count, !(s[j].value >= 0x40 && s[j].value <= 0x7E) { params.unicodeScalars.append(s[j]); j += 1 }
                if j < s.count, s[j] == "m" { applySGR(params, &fg, &bg) }
                i = j + 1
                continue
            }
            if c == "\n" { rows.append([]); i += 1; continue }
            rows[rows.count - 1].append(CapturedCell(glyph: c, fg: fg, bg: bg))
            i += 1
        }
        return rows
    }

    private static func applySGR(_ params: String, _ fg: inout CapturedColor, _ bg: inout CapturedColor) {
        let p = params.split(separator: ";", omittingEmptySubsequences: false)
            .flatMap { $0.split(separator: ":", omittingEmptySubsequences: false) }
            .map { Int($0) ?? 0 }
        if p.isEmpty { fg = .terminalDefault; bg = .terminalDefault; return }
        var k = 0
        while k < p.count {
            let v = p[k]
            switch v {
            case 0: fg = .terminalDefault; bg = .terminalDefault
            case 30...37: fg = .palette(v - 30)
            case 90...97: fg = .palette(v - 90 + 8)
            case 40...47: bg = .palette(v - 40)
            case 100...107: bg = .palette(v - 100 + 8)
            case 39: fg = .terminalDefault
            case 49: bg = .terminalDefault
            case 38, 48:
                var color = CapturedColor.terminalDefault
                if k + 1 < p.count, p[k + 1] == 5, k + 2 < p.count {
                    color = .palette(p[k + 2]); k += 2
                } else if k + 1 < p.count, p[k + 1] == 2, k + 4 < p.count {
                    color = .rgb(p[k + 2], p[k + 3], p[k + 4]); k += 4
                }
                if v == 38 { fg = color } else { bg = color }
            default: break
            }
            k += 1
        }
    }

    /// Cells drawn with a 24-bit background (video pixels; uniform cells are drawn as spaces).
    static func trueColorCells(_ rows: [[CapturedCell]]) -> [CapturedCell] {
        rows.flatMap { $0 }.filter { cell in
            if case .rgb = cell.bg { return true }
            return false
        }
    }

    /// Half-block cells (`▀`, or `▄` when the encoder swapped colours) with two colours, at
    /// least one 24-bit (the encoder sends colours that are exact xterm-cube entries as 38;5).
    static func trueColorHalfBlocks(_ rows: [[CapturedCell]]) -> [CapturedCell] {
        rows.flatMap { $0 }.filter { cell in
            guard cell.glyph == "▀" || cell.glyph == "▄", cell.fg != cell.bg,
                  cell.fg != .terminalDefault, cell.bg != .terminalDefault else { return false }
            if case .rgb = cell.fg { return true }
            if case .rgb = cell.bg { return true }
            return false
        }
    }
}
