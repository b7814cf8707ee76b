/// Maps 0xRRGGBB pixels to the colours a `ColorDepth` can show. Ordered (Bayer) dithering uses the
/// pixel's position, so a still picture dithers the same way every frame and causes no damage.
struct Quantizer {
    /// 4×4 Bayer thresholds 0...15.
    static let bayer: [Int] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5]
    /// Per channel value: the cube level at or below it and how far towards the next one, in 16ths (0...16).
    static let cubeSteps: [(low: UInt8, frac16: UInt8)] = steps(Palette256.cubeLevels.map(Int.init))
    /// The same along the grey ladder: black (16), the 24 ramp greys (232...255), white (231).
    static let greyLadder: [Int] = [0] + (0..<24).map { 8 + 10 * $0 } + [255]
    static let greySteps: [(low: UInt8, frac16: UInt8)] = steps(greyLadder)

    static func steps(_ levels: [Int]) -> [(low: UInt8, frac16: UInt8)] {
        (0..<256).map { v in
            var i = 0
            while i + 1 < levels.count && levels[i + 1] <= v { i += 1 }
            if i + 1 == levels.count { return (UInt8(i), 0) }
            // Rounded, so values within half a sixteenth of a level never dither away from it.
            let step = levels[i + 1] - levels[i]
            return (UInt8(i), UInt8(((v - levels[i]) * 16 + step / 2) / step))
        }
    }

    enum Kind { case trueColor, p256, p256Dither, p16, mono }
    let kind: Kind
    private let lut256: [UInt8]
    private let lut16: [UInt8]
    private let bayer = Quantizer.bayer
    private let cube: [(low: UInt8, frac16: UInt8)]
    private let grey: [(low: UInt8, frac16: UInt8)]

    init(_ depth: ColorDepth) {
        switch depth {
        case .trueColor: kind = .trueColor
        case .palette256(let dither): kind = dither ? .p256Dither : .p256
        case .palette16: kind = .p16
        case .mono: kind = .mono
        }
        lut256 = kind == .p256 || kind == .p256Dither ? Palette256.lut : []
        lut16 = kind == .p16 ? Palette16.lut : []
        cube = kind == .p256Dither ? Quantizer.cubeSteps : []
        grey = kind == .p256Dither ? Quantizer.greySteps : []
    }

    @inline(__always) static func channels(_ p: UInt32) -> (Int, Int, Int) {
        (Int(p >> 16 & 0xFF), Int(p >> 8 & 0xFF), Int(p & 0xFF))
    }

    /// Luma of 0xRRGGBB, 0...255 (BT.601 weights).
    @inline(__always) static func luma(_ p: UInt32) -> Int {
        let (r, g, b) = channels(p)
        return (77 * r + 150 * g + 29 * b) >> 8
    }

    /// Whether the pixel at (`x`, `y`) is lit in monochrome (dithered threshold).
    @inline(__always) static func monoOn(_ p: UInt32, x: Int, y: Int) -> Bool {
        let t = bayer[(y & 3) << 2 | (x & 3)]
        return luma(p) * 16 >= t * 255 + 128
    }

    /// The displayable colour for pixel `p` at position (`x`, `y`).
    @inline(__always) func color(_ p: UInt32, x: Int, y: Int) -> CellColor {
        switch kind {
        case .trueColor:
            return CellColor(raw: p & 0xFF_FFFF)
        case .p256:
            return .palette(lookup256(p, offset: 0))
        case .p256Dither:
            return .palette(dither256(p, threshold: bayer[(y & 3) << 2 | (x & 3)]))
        case .p16:
            let (r, g, b) = Quantizer.channels(p)
            return .palette(lut16.withUnsafeBufferPointer { $0[(r >> 3) << 10 | (g >> 3) << 5 | b >> 3] })
        case .mono:
            return .terminalDefault
        }
    }

    @inline(__always) private func lookup256(_ p: UInt32, offset: Int) -> UInt8 {
        let (r, g, b) = Quantizer.channels(p)
        return lut256.withUnsafeBufferPointer { $0[(r >> 2) << 12 | (g >> 2) << 6 | b >> 2] }
    }

    /// Ordered dithering between the two palette levels around each channel (cube colours) or
    /// around the grey (when the nearest entry is a grey), so exact palette colours stay exact.
    @inline(__always) private func dither256(_ p: UInt32, threshold t: Int) -> UInt8 {
        let nearest = lookup256(p, offset: 0)
        let (r, g, b) = Quantizer.channels(p)
        if nearest >= 232 {
            let s = grey[(r * 77 + g * 150 + b * 29) >> 8]
            let i = Int(s.low) + (Int(s.frac16) > t ? 1 : 0)
            return i == 0 ? 16 : (i == 25 ? 231 : UInt8(231 + i))
        }
        @inline(__always) func level(_ v: Int) -> Int {
            let s = cube[v]; return Int(s.low) + (Int(s.frac16) > t ? 1 : 0)
        }
        return UInt8(16 + 36 * level(r) + 6 * level(g) + level(b))
    }
}
