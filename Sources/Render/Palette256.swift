/// xterm's 256-colour palette: 16 ANSI colours, a 6×6×6 cube (16...231) and a 24-step grey ramp
/// (232...255). Mapping uses only the cube and the ramp, whose colours terminals do not theme.
public enum Palette256 {
    /// The cube's channel levels.
    public static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]
    /// Bits per channel of the lookup table (64 levels: finer than the grey ramp's step of 10).
    static let lutBits = 6

    /// The RGB of palette entry `index` with xterm's default colours.
    public static func rgb(_ index: UInt8) -> (UInt8, UInt8, UInt8) {
        let i = Int(index)
        if i < 16 { return Palette16.rgb[i] }
        if i < 232 {
            let c = i - 16
            return (cubeLevels[c / 36], cubeLevels[c / 6 % 6], cubeLevels[c % 6])
        }
        let v = UInt8(8 + 10 * (i - 232))
        return (v, v, v)
    }

    /// The perceptually nearest cube or grey entry, looked up in a table built on first use.
    @inlinable public static func nearest(r: UInt8, g: UInt8, b: UInt8) -> UInt8 {
        let shift = 8 - 6
        let key = (Int(r) >> shift) << 12 | (Int(g) >> shift) << 6 | Int(b) >> shift
        return lut[key]
    }

    /// The perceptually nearest entry, searched exactly (used to build the table).
    public static func nearestExact(r: UInt8, g: UInt8, b: UInt8) -> UInt8 {
        let target = OKLab(r: r, g: g, b: b)
        var best = 16, bestD = Float.infinity
        // The nearest is among the cube levels that bracket each channel and the greys that bracket
        // the mean, so only those are tried.
        func bracket(_ v: UInt8) -> (Int, Int) {
            var lo = 0
            while lo < 5 && cubeLevels[lo + 1] <= v { lo += 1 }
            return (lo, min(lo + 1, 5))
        }
        let br = bracket(r), bg = bracket(g), bb = bracket(b)
        for ri in br.0...br.1 { for gi in bg.0...bg.1 { for bi in bb.0...bb.1 {
            let idx = 16 + 36 * ri + 6 * gi + bi
            let d = labs[idx].distance2(target)
            if d < bestD { bestD = d; best = idx }
        }}}
        let mean = (Int(r) + Int(g) + Int(b)) / 3
        let g0 = max(0, min(23, (mean - 8) / 10))
        for gi in max(0, g0 - 1)...min(23, g0 + 2) {
            let d = labs[232 + gi].distance2(target)
            if d < bestD { bestD = d; best = 232 + gi }
        }
        return UInt8(best)
    }

    static let labs: [OKLab] = (0..<256).map { i in
        let c = rgb(UInt8(i)); return OKLab(r: c.0, g: c.1, b: c.2)
    }

    @usableFromInline static let lut: [UInt8] = {
        let n = 1 << lutBits, step = 256 / n
        var t = [UInt8](repeating: 0, count: n * n * n)
        for ri in 0..<n { for gi in 0..<n { for bi in 0..<n {
            // Middle of the table cell, but the ends at 0 and 255 so black and white stay exact.
            let c = { (i: Int) in UInt8(i == 0 ? 0 : (i == n - 1 ? 255 : i * step + step / 2)) }
            t[ri << 12 | gi << 6 | bi] = nearestExact(r: c(ri), g: c(gi), b: c(bi))
        }}}
        return t
    }()
}
