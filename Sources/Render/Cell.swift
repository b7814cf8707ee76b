/// A terminal colour: 24-bit RGB, an xterm palette index, or the terminal's own default colour.
/// Packed in one word so that comparing and copying cells in the hot path is cheap.
public struct CellColor: Hashable, Sendable {
    /// Bits 24...31: kind; bits 0...23: 0xRRGGBB or the palette index.
    public let raw: UInt32

    @usableFromInline static let kindRGB: UInt32 = 0
    @usableFromInline static let kindPalette: UInt32 = 1
    @usableFromInline static let kindDefault: UInt32 = 2

    @inlinable init(raw: UInt32) { self.raw = raw }

    /// A 24-bit colour.
    @inlinable public static func rgb(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> CellColor {
        CellColor(raw: UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
    }
    /// An xterm palette entry (0...15 the ANSI colours, 16...255 the cube and grey ramp).
    @inlinable public static func palette(_ index: UInt8) -> CellColor {
        CellColor(raw: kindPalette << 24 | UInt32(index))
    }
    /// The terminal's default foreground or background (monochrome output).
    public static let terminalDefault = CellColor(raw: kindDefault << 24)

    @inlinable public var isRGB: Bool { raw >> 24 == CellColor.kindRGB }
    @inlinable public var isPalette: Bool { raw >> 24 == CellColor.kindPalette }
    @inlinable public var isDefault: Bool { raw >> 24 == CellColor.kindDefault }
    /// Red, green, blue when `isRGB`.
    @inlinable public var r: UInt8 { UInt8(truncatingIfNeeded: raw >> 16) }
    @inlinable public var g: UInt8 { UInt8(truncatingIfNeeded: raw >> 8) }
    @inlinable public var b: UInt8 { UInt8(truncatingIfNeeded: raw) }
    /// The palette index when `isPalette`.
    @inlinable public var paletteIndex: UInt8 { UInt8(truncatingIfNeeded: raw) }

    /// The RGB a terminal with xterm's default palette shows for this colour
    /// (`terminalDefault` is taken as `defaultRGB`).
    public func displayedRGB(defaultRGB: (UInt8, UInt8, UInt8) = (0, 0, 0)) -> (UInt8, UInt8, UInt8) {
        if isRGB { return (r, g, b) }
        if isPalette { return Palette256.rgb(paletteIndex) }
        return defaultRGB
    }
}

/// One terminal cell: a glyph drawn in `fg` over `bg`.
public struct Cell: Hashable, Sendable {
    public var glyph: Unicode.Scalar
    public var fg: CellColor
    public var bg: CellColor

    @inlinable public init(glyph: Unicode.Scalar, fg: CellColor, bg: CellColor) {
        self.glyph = glyph; self.fg = fg; self.bg = bg
    }

    /// An empty cell showing only `bg` (letterbox bars).
    @inlinable public static func blank(_ bg: CellColor) -> Cell {
        Cell(glyph: " ", fg: bg, bg: bg)
    }
}
