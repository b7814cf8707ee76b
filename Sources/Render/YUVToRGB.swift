/// BT.601 limited-range ("studio swing") YUV to 8-bit RGB, the colour VP8 streams and most
/// cameras carry, in fixed point.
public enum YUVToRGB {
    // Coefficients × 2^16: 255/219 for luma, 255/224 × the BT.601 chroma factors.
    @usableFromInline static let cY: Int = 76309      // 1.164383
    @usableFromInline static let cRV: Int = 104597    // 1.596027
    @usableFromInline static let cGU: Int = 25675     // 0.391762
    @usableFromInline static let cGV: Int = 53279     // 0.812968
    @usableFromInline static let cBU: Int = 132201    // 2.017232

    /// Converts one 8-bit Y, U, V triple.
    @inlinable public static func convert(y: UInt8, u: UInt8, v: UInt8) -> (r: UInt8, g: UInt8, b: UInt8) {
        let p = convert(y16: Int(y) << 4, u16: Int(u) << 4, v16: Int(v) << 4)
        return (UInt8(p >> 16 & 0xFF), UInt8(p >> 8 & 0xFF), UInt8(p & 0xFF))
    }

    /// Converts Y, U, V given × 16 (4 fraction bits, as `BoxScaler` outputs) to 0xRRGGBB.
    @inlinable public static func convert(y16: Int, u16: Int, v16: Int) -> UInt32 {
        let yy = cY &* (y16 &- 256)
        let uu = u16 &- 2048, vv = v16 &- 2048
        let round = 1 << 19
        let r = (yy &+ cRV &* vv &+ round) >> 20
        let g = (yy &- cGU &* uu &- cGV &* vv &+ round) >> 20
        let b = (yy &+ cBU &* uu &+ round) >> 20
        return UInt32(clamp(r)) << 16 | UInt32(clamp(g)) << 8 | UInt32(clamp(b))
    }

    @inlinable static func clamp(_ x: Int) -> Int { x < 0 ? 0 : (x > 255 ? 255 : x) }

    /// The limited-range Y, U, V that encode an 8-bit RGB colour (for making test pictures).
    public static func yuv(r: UInt8, g: UInt8, b: UInt8) -> (y: UInt8, u: UInt8, v: UInt8) {
        let R = Double(r), G = Double(g), B = Double(b)
        let y = 16 + (65.481 * R + 128.553 * G + 24.966 * B) / 255
        let u = 128 + (-37.797 * R - 74.203 * G + 112.0 * B) / 255
        let v = 128 + (112.0 * R - 93.786 * G - 18.214 * B) / 255
        func q(_ x: Double) -> UInt8 { UInt8(max(0, min(255, x.rounded()))) }
        return (q(y), q(u), q(v))
    }
}
