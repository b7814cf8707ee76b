/// How pixels map to glyphs.
public enum RenderMode: Hashable, Sendable {
    /// `▀` with the top pixel as foreground and the bottom one as background: 1×2 pixels per cell.
    case halfBlock
    /// The best of the 16 quadrant glyphs with two colours: 2×2 pixels per cell.
    case quadrant
    /// A luminance ramp of ASCII characters, one pixel per cell, optionally coloured.
    case ascii(colored: Bool)

    /// Pixels per cell horizontally and vertically.
    public var pixelsPerCell: (x: Int, y: Int) {
        switch self {
        case .halfBlock: (1, 2)
        case .quadrant: (2, 2)
        case .ascii: (1, 1)
        }
    }
}

/// How many colours the terminal can show.
public enum ColorDepth: Hashable, Sendable {
    /// 24-bit SGR 38;2 / 48;2.
    case trueColor
    /// xterm's 6×6×6 cube and grey ramp (SGR 38;5 / 48;5), optionally with ordered dithering.
    case palette256(dither: Bool)
    /// The 16 ANSI colours (SGR 30–37 / 90–97).
    case palette16
    /// No colour: the glyphs alone in the terminal's default colours.
    case mono
}

/// Everything that decides how a frame becomes cells.
public struct RenderOptions: Hashable, Sendable {
    /// Default height ÷ width of a terminal cell (most fonts are about twice as tall as wide).
    public static let defaultCellAspect = 2.0
    /// Default colour of the letterbox bars.
    public static let defaultBarColor = CellColor.rgb(0, 0, 0)

    public var mode: RenderMode
    public var depth: ColorDepth
    /// Height ÷ width of one terminal cell.
    public var cellAspect: Double
    /// Colour of the letterbox bars, as RGB (mapped to the colour depth; mono uses the terminal's background).
    public var barColor: CellColor

    public init(mode: RenderMode = .halfBlock, depth: ColorDepth = .trueColor,
                cellAspect: Double = RenderOptions.defaultCellAspect,
                barColor: CellColor = RenderOptions.defaultBarColor) {
        precondition(cellAspect > 0, "cell aspect must be positive")
        precondition(barColor.isRGB, "the bar colour must be RGB")
        self.mode = mode; self.depth = depth; self.cellAspect = cellAspect; self.barColor = barColor
    }
}
