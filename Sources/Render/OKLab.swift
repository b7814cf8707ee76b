import Foundation

/// Björn Ottosson's OKLab, a perceptual colour space where Euclidean distance tracks how
/// different two colours look; used to pick the nearest palette entry.
public struct OKLab: Sendable {
    public var l: Float
    public var a: Float
    public var b: Float

    /// sRGB channel value to linear light.
    static let linear: [Float] = (0..<256).map { c in
        let x = Float(c) / 255
        return x <= 0.04045 ? x / 12.92 : powf((x + 0.055) / 1.055, 2.4)
    }

    /// OKLab of an sRGB colour.
    public init(r: UInt8, g: UInt8, b: UInt8) {
        let t = OKLab.linear
        let R = t[Int(r)], G = t[Int(g)], B = t[Int(b)]
        let lc = cbrtf(0.4122214708 * R + 0.5363325363 * G + 0.0514459929 * B)
        let mc = cbrtf(0.2119034982 * R + 0.6806995451 * G + 0.1073969566 * B)
        let sc = cbrtf(0.0883024619 * R + 0.2817188376 * G + 0.6299787005 * B)
        l = 0.2104542553 * lc + 0.7936177850 * mc - 0.0040720468 * sc
        a = 1.9779984951 * lc - 2.4285922050 * mc + 0.4505937099 * sc
        self.b = 0.0259040371 * lc + 0.7827717662 * mc - 0.8086757660 * sc
    }

    /// Squared perceptual distance.
    @inlinable public func distance2(_ o: OKLab) -> Float {
        let dl = l - o.l, da = a - o.a, db = b - o.b
        return dl * dl + da * da + db * db
    }
}
