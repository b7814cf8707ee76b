/// The block glyphs as 2×2 masks and the ASCII luminance ramp.
public enum Glyphs {
    /// Mask bits of the four quadrants of a cell.
    public static let topLeft = 1, topRight = 2, bottomLeft = 4, bottomRight = 8
    /// Upper half block: the half-block mode's glyph.
    public static let upperHalf: Unicode.Scalar = "\u{2580}"

    /// The glyph whose inked quadrants are `mask` (0 = space, 15 = full block).
    public static let quadrant: [Unicode.Scalar] = [
        " ", "\u{2598}", "\u{259D}", "\u{2580}", "\u{2596}", "\u{258C}", "\u{259E}", "\u{259B}",
        "\u{2597}", "\u{259A}", "\u{2590}", "\u{259C}", "\u{2584}", "\u{2599}", "\u{259F}", "\u{2588}",
    ]

    /// The quadrant mask of a block glyph, nil for any other glyph.
    @inlinable public static func mask(of glyph: Unicode.Scalar) -> Int? {
        let v = glyph.value
        if v == 0x20 { return 0 }
        guard v >= 0x2580 && v <= 0x259F else { return nil }
        let m = maskByOffset[Int(v - 0x2580)]
        return m < 0 ? nil : Int(m)
    }
    @usableFromInline static let maskByOffset: [Int8] = {
        var t = [Int8](repeating: -1, count: 32)
        for (m, g) in quadrant.enumerated() where g.value >= 0x2580 { t[Int(g.value - 0x2580)] = Int8(m) }
        return t
    }()

    /// Stands in the cell right of a double-width glyph (CJK, emoji): the terminal draws the glyph
    /// over both cells, so this one is never written. A noncharacter, so no text can contain it.
    public static let wideTail: Unicode.Scalar = "\u{FFFF}"

    /// Darkest to brightest; one byte each so any terminal shows them.
    public static let asciiRamp: [Unicode.Scalar] = Array(" .:-=+*#%@".unicodeScalars)
}
