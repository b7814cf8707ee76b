@testable import Render

/// A minimal terminal for tests: interprets exactly the sequences a terminal would (CUP, CUF, SGR
/// 0 / 30–37 / 39 / 40–47 / 49 / 90–97 / 100–107 / 38;2 / 48;2 / 38;5 / 48;5) and UTF-8 text,
/// and fails on anything else, so tests see what a user would.
struct TerminalScreen {
    /// A colour as shown: RGB, or the default foreground (-1) / background (-2).
    typealias Shade = Int
    static let defaultFg: Shade = -1, defaultBg: Shade = -2

    struct ScreenCell: Equatable { var glyph: Unicode.Scalar = " "; var fg: Shade = defaultFg; var bg: Shade = defaultBg }

    let cols: Int, rows: Int
    var cells: [ScreenCell]
    var row = 0, col = 0
    var fg: Shade = defaultFg, bg: Shade = defaultBg
    var errors: [String] = []

    init(cols: Int, rows: Int) {
        self.cols = cols; self.rows = rows
        cells = Array(repeating: ScreenCell(), count: cols * rows)
    }

    static func shade(rgb: (UInt8, UInt8, UInt8)) -> Shade { Int(rgb.0) << 16 | Int(rgb.1) << 8 | Int(rgb.2) }

    mutating func feed(_ bytes: [UInt8]) {
        var i = 0
        while i < bytes.count {
            if bytes[i] == 0x1B {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") else { errors.append("bare ESC"); return }
                var j = i + 2
                while j < bytes.count, !(0x40...0x7E).contains(bytes[j]) { j += 1 }
                guard j < bytes.count else { errors.append("unterminated CSI"); return }
                let params = String(decoding: bytes[(i + 2)..<j], as: UTF8.self)
                    .split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
                csi(bytes[j], params)
                i = j + 1
            } else {
                // UTF-8 decode one scalar.
                let b0 = bytes[i]
                let len = b0 < 0x80 ? 1 : (b0 < 0xE0 ? 2 : (b0 < 0xF0 ? 3 : 4))
                var it = bytes[i..<min(bytes.count, i + len)].makeIterator()
                var dec = UTF8()
                guard case .scalarValue(let s) = dec.decode(&it) else { errors.append("bad UTF-8"); return }
                put(s)
                i += len
            }
        }
    }

    private mutating func put(_ s: Unicode.Scalar) {
        guard row < rows, col < cols else { errors.append("write outside the screen at \(row),\(col)"); return }
        cells[row * cols + col] = ScreenCell(glyph: s, fg: fg, bg: bg)
        col += 1
        // A wide glyph covers the next cell too, as xterm draws it.
        if Self.isWide(s) && col < cols {
            cells[row * cols + col] = ScreenCell(glyph: Glyphs.wideTail, fg: fg, bg: bg)
            col += 1
        }
    }

    /// CJK, Hangul, fullwidth forms and pictographs: what the tests draw as double width.
    static func isWide(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x1100...0x115F, 0x2E80...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFF00...0xFF60, 0x1F300...0x1FAFF: true
        default: false
        }
    }

    private mutating func csi(_ final: UInt8, _ p: [Int?]) {
        switch final {
        case UInt8(ascii: "H"):
            row = (p.first.flatMap { $0 } ?? 1) - 1
            col = (p.count > 1 ? (p[1] ?? 1) : 1) - 1
        case UInt8(ascii: "C"):
            col += max(1, p.first.flatMap { $0 } ?? 1)
        case UInt8(ascii: "m"):
            var k = 0
            let v = p.map { $0 ?? 0 }
            while k < v.count {
                switch v[k] {
                case 0: fg = Self.defaultFg; bg = Self.defaultBg
                case 30...37: fg = Self.shade(rgb: Palette256.rgb(UInt8(v[k] - 30)))
                case 90...97: fg = Self.shade(rgb: Palette256.rgb(UInt8(v[k] - 90 + 8)))
                case 40...47: bg = Self.shade(rgb: Palette256.rgb(UInt8(v[k] - 40)))
                case 100...107: bg = Self.shade(rgb: Palette256.rgb(UInt8(v[k] - 100 + 8)))
                case 39: fg = Self.defaultFg
                case 49: bg = Self.defaultBg
                case 38, 48:
                    let isFg = v[k] == 38
                    var c: Shade
                    if k + 1 < v.count && v[k + 1] == 2 && k + 4 < v.count {
                        c = v[k + 2] << 16 | v[k + 3] << 8 | v[k + 4]; k += 4
                    } else if k + 2 < v.count && v[k + 1] == 5 {
                        c = Self.shade(rgb: Palette256.rgb(UInt8(v[k + 2]))); k += 2
                    } else { errors.append("bad extended colour"); return }
                    if isFg { fg = c } else { bg = c }
                default: errors.append("unexpected SGR \(v[k])")
                }
                k += 1
            }
        default: errors.append("unexpected CSI final \(Character(Unicode.Scalar(final)))")
        }
    }

    /// How a cell looks: four quadrant shades for block glyphs, else glyph and colours.
    static func look(glyph: Unicode.Scalar, fg: Shade, bg: Shade) -> [Int] {
        if let m = Glyphs.mask(of: glyph) { return (0..<4).map { m & (1 << $0) != 0 ? fg : bg } }
        return [Int(glyph.value), fg, bg]
    }

    func look(col: Int, row: Int) -> [Int] {
        let c = cells[row * cols + col]
        return Self.look(glyph: c.glyph, fg: c.fg, bg: c.bg)
    }

    /// How a grid cell should look on a terminal with xterm's colours.
    static func look(_ cell: Cell) -> [Int] {
        func shown(_ c: CellColor, isFg: Bool) -> Shade {
            c.isDefault ? (isFg ? defaultFg : defaultBg) : Self.shade(rgb: c.displayedRGB())
        }
        return look(glyph: cell.glyph, fg: shown(cell.fg, isFg: true), bg: shown(cell.bg, isFg: false))
    }
}
