import Foundation
import Media
@testable import Render

/// An 8-bit RGB pixel for building and checking pictures.
struct RGB: Equatable, CustomStringConvertible {
    var r: Double, g: Double, b: Double
    init(_ r: Double, _ g: Double, _ b: Double) { self.r = r; self.g = g; self.b = b }
    init(_ c: CellColor) { let t = c.displayedRGB(); self.init(Double(t.0), Double(t.1), Double(t.2)) }
    init(packed p: UInt32) { self.init(Double(p >> 16 & 0xFF), Double(p >> 8 & 0xFF), Double(p & 0xFF)) }
    var description: String { "(\(r), \(g), \(b))" }
}

enum Pictures {
    /// An I420 frame of an RGB picture: luma per pixel, chroma averaged over each 2×2 block.
    static func frame(width: Int, height: Int, _ pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> VideoFrame {
        var f = VideoFrame(width: width, height: height)
        let cw = f.chromaWidth
        var uSum = [Int](repeating: 0, count: cw * f.chromaHeight), vSum = uSum, n = uSum
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = pixel(x, y)
                let yuv = YUVToRGB.yuv(r: r, g: g, b: b)
                f.y[y * width + x] = yuv.y
                let ci = (y / 2) * cw + x / 2
                uSum[ci] += Int(yuv.u); vSum[ci] += Int(yuv.v); n[ci] += 1
            }
        }
        for i in 0..<uSum.count {
            f.u[i] = UInt8((uSum[i] + n[i] / 2) / n[i]); f.v[i] = UInt8((vSum[i] + n[i] / 2) / n[i])
        }
        return f
    }

    /// A frame filled with one colour given as Y, U, V.
    static func solid(width: Int, height: Int, y: UInt8, u: UInt8, v: UInt8) -> VideoFrame {
        VideoFrame(width: width, height: height, fillY: y, fillU: u, fillV: v)
    }

    /// A photo-like picture: sky gradient, textured hills, soft blobs and grain.
    static func photo(width: Int, height: Int, seed: UInt32 = 1) -> VideoFrame {
        var state = seed
        func noise() -> Double {
            state = state &* 1_664_525 &+ 1_013_904_223
            return Double(state >> 8 & 0xFF) / 255 - 0.5
        }
        return frame(width: width, height: height) { x, y in
            let u = Double(x) / Double(width), v = Double(y) / Double(height)
            let horizon = 0.45 + 0.08 * sin(u * 7.0) + 0.04 * sin(u * 19.0 + 1)
            var r: Double, g: Double, b: Double
            if v < horizon {
                let t = v / horizon
                r = 90 + 100 * t; g = 140 + 70 * t; b = 220 - 20 * t
            } else {
                let t = (v - horizon) / (1 - horizon)
                let tex = 12 * sin(u * 60 + v * 25) * sin(v * 40)
                r = 110 - 50 * t + tex; g = 130 - 40 * t + tex; b = 60 - 20 * t + tex / 2
            }
            // Soft sun and two blobs.
            for (cx, cy, rad, cr, cg, cb) in [(0.75, 0.2, 0.08, 255.0, 230.0, 150.0),
                                              (0.3, 0.7, 0.12, 200.0, 80.0, 60.0),
                                              (0.55, 0.8, 0.1, 70.0, 90.0, 170.0)] {
                let d2 = ((u - cx) * (u - cx) + (v - cy) * (v - cy)) / (rad * rad)
                let a = exp(-d2)
                r = r * (1 - a) + cr * a; g = g * (1 - a) + cg * a; b = b * (1 - a) + cb * a
            }
            let grain = 8 * noise()
            func q(_ c: Double) -> UInt8 { UInt8(max(0, min(255, (c + grain).rounded()))) }
            return (q(r), q(g), q(b))
        }
    }

    /// The frame converted to RGB (chroma repeated over its 2×2 block) and box-averaged in floating
    /// point to `width × height`: what an ideal renderer would show.
    static func reference(_ f: VideoFrame, width: Int, height: Int) -> [RGB] {
        var src = [RGB]()
        src.reserveCapacity(f.width * f.height)
        for y in 0..<f.height {
            for x in 0..<f.width {
                // Unclamped BT.601 so the average matches averaging YUV first.
                let Y = Double(f.lumaAt(x: x, y: y)) - 16, U = Double(f.uAt(x: x, y: y)) - 128
                let V = Double(f.vAt(x: x, y: y)) - 128
                src.append(RGB(1.164383 * Y + 1.596027 * V, 1.164383 * Y - 0.391762 * U - 0.812968 * V,
                               1.164383 * Y + 2.017232 * U))
            }
        }
        func weights(_ n: Int, _ len: Int) -> [[(Int, Double)]] {
            (0..<n).map { i in
                let lo = Double(i) * Double(len) / Double(n), hi = Double(i + 1) * Double(len) / Double(n)
                var w: [(Int, Double)] = []
                for j in Int(lo.rounded(.down))..<min(len, Int(hi.rounded(.up))) {
                    let o = min(hi, Double(j + 1)) - max(lo, Double(j))
                    if o > 0 { w.append((j, o / (hi - lo))) }
                }
                return w
            }
        }
        let wx = weights(width, f.width), wy = weights(height, f.height)
        var out = [RGB]()
        for oy in 0..<height {
            for ox in 0..<width {
                var acc = RGB(0, 0, 0)
                for (sy, a) in wy[oy] {
                    for (sx, b) in wx[ox] {
                        let p = src[sy * f.width + sx]
                        acc.r += a * b * p.r; acc.g += a * b * p.g; acc.b += a * b * p.b
                    }
                }
                func c(_ v: Double) -> Double { max(0, min(255, v)) }
                out.append(RGB(c(acc.r), c(acc.g), c(acc.b)))
            }
        }
        return out
    }

    /// The pixels a half-block or quadrant grid shows inside its video rectangle, at the mode's
    /// pixel resolution (`pixelsX` × 2 per cell; half-block cells repeat their column when `pixelsX` is 2).
    static func shown(_ grid: CellGrid, pixelsX: Int) -> [RGB] {
        let rect = grid.videoRect
        var out = [RGB](repeating: RGB(0, 0, 0), count: rect.cols * pixelsX * rect.rows * 2)
        let w = rect.cols * pixelsX
        for cy in 0..<rect.rows {
            for cx in 0..<rect.cols {
                let cell = grid[rect.col + cx, rect.row + cy]
                let mask = Glyphs.mask(of: cell.glyph)!
                for q in 0..<4 {
                    let qx = q & 1, qy = q >> 1
                    let on = mask & (1 << q) != 0
                    let color = RGB(on ? cell.fg : cell.bg)
                    let px = pixelsX == 2 ? cx * 2 + qx : cx
                    if pixelsX == 1 && qx == 1 { continue }
                    out[(cy * 2 + qy) * w + px] = color
                }
            }
        }
        return out
    }

    /// Peak signal-to-noise ratio in dB over all channels.
    static func psnr(_ a: [RGB], _ b: [RGB]) -> Double {
        precondition(a.count == b.count)
        var se = 0.0
        for (p, q) in zip(a, b) {
            se += (p.r - q.r) * (p.r - q.r) + (p.g - q.g) * (p.g - q.g) + (p.b - q.b) * (p.b - q.b)
        }
        let mse = se / Double(3 * a.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }
}
