/// The 16 ANSI colours with xterm's default RGB values (a terminal theme may differ).
public enum Palette16 {
    public static let rgb: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0),
        (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0),
        (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    static let lutBits = 5

    /// The perceptually nearest of the 16 colours, looked up in a table built on first use.
    @inlinable public static func nearest(r: UInt8, g: UInt8, b: UInt8) -> UInt8 {
        let shift = 8 - 5
        return lut[(Int(r) >> shift) << 10 | (Int(g) >> shift) << 5 | Int(b) >> shift]
    }

    /// The perceptually nearest of the 16 colours, searched exactly.
    public static func nearestExact(r: UInt8, g: UInt8, b: UInt8) -> UInt8 {
        let target = OKLab(r: r, g: g, b: b)
        var best = 0, bestD = Float.infinity
        for (i, lab) in labs.enumerated() {
            let d = lab.distance2(target)
            if d < bestD { bestD = d; best = i }
        }
        return UInt8(best)
    }

    static let labs: [OKLab] = rgb.map { OKLab(r: $0.0, g: $0.1, b: $0.2) }

    @usableFromInline static let lut: [UInt8] = {
        let n = 1 << lutBits, step = 256 / n
        var t = [UInt8](repeating: 0, count: n * n * n)
        for ri in 0..<n { for gi in 0..<n { for bi in 0..<n {
            let c = { (i: Int) in UInt8(i == 0 ? 0 : (i == n - 1 ? 255 : i * step + step / 2)) }
            t[ri << 10 | gi << 5 | bi] = nearestExact(r: c(ri), g: c(gi), b: c(bi))
        }}}
        return t
    }()
}
