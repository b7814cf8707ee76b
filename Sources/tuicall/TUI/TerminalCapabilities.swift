import Render

/// What the terminal can show, from the environment and terminfo, and the render options that follow.
struct TerminalCapabilities: Sendable, Equatable {
    /// The locale encodes text as UTF-8 (block glyphs and box lines can be drawn).
    var utf8: Bool
    /// COLORTERM says truecolor or 24bit.
    var colorTermTrueColor: Bool
    /// terminfo has the RGB flag or direct colour (e.g. xterm-direct).
    var terminfoRGB: Bool
    /// terminfo's colour count (0 when the terminal has no colour).
    var colors: Int

    /// The colour depth the terminal supports.
    var detectedDepth: ColorDepth {
        if colors <= 0 && !colorTermTrueColor { return .mono }
        if colorTermTrueColor || terminfoRGB || colors >= 1 << 24 { return .trueColor }
        if colors >= 256 { return .palette256(dither: false) }
        if colors >= 8 { return .palette16 }
        return .mono
    }

    /// Render options: detected, then overridden by `--render` / `--color`. Without UTF-8 or
    /// without colour the video is ASCII art; `--render` still wins.
    func renderOptions(render: RenderChoice?, color: ColorChoice?) -> RenderOptions {
        let depth: ColorDepth
        switch color {
        case .truecolor: depth = .trueColor
        case .palette256: depth = .palette256(dither: false)
        case .palette16: depth = .palette16
        case .mono: depth = .mono
        case nil: depth = detectedDepth
        }
        let mode: RenderMode
        switch render {
        case .half: mode = .halfBlock
        case .quadrant: mode = .quadrant
        case .ascii: mode = .ascii(colored: depth != .mono)
        case nil: mode = utf8 && depth != .mono ? .halfBlock : .ascii(colored: depth != .mono)
        }
        return RenderOptions(mode: mode, depth: depth)
    }

    /// Whether COLORTERM announces 24-bit colour.
    static func colorTermSaysTrueColor(_ value: String?) -> Bool {
        guard let v = value?.lowercased() else { return false }
        return v == "truecolor" || v == "24bit"
    }
}

extension RenderMode {
    /// The next mode for the `c` key: half-block → quadrant → ASCII → half-block (ASCII only without UTF-8).
    func cycled(utf8: Bool, colored: Bool) -> RenderMode {
        guard utf8 else { return .ascii(colored: colored) }
        switch self {
        case .halfBlock: return .quadrant
        case .quadrant: return .ascii(colored: colored)
        case .ascii: return .halfBlock
        }
    }

    /// Short name for messages.
    var label: String {
        switch self {
        case .halfBlock: "half-block"
        case .quadrant: "quadrant"
        case .ascii(let c): c ? "ASCII (colour)" : "ASCII"
        }
    }
}

extension ColorDepth {
    /// Short name for messages.
    var label: String {
        switch self {
        case .trueColor: "24-bit"
        case .palette256: "256 colours"
        case .palette16: "16 colours"
        case .mono: "mono"
        }
    }
}
