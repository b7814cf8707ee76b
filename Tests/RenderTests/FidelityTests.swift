import Testing
import Media
import Capture
@testable import Render

/// Rebuilds the picture the cells show and compares it with the box-scaled source.
@Suite struct FidelityTests {
    static let pictures: [(String, VideoFrame)] = [
        ("photo", Pictures.photo(width: 640, height: 480)),
        ("test pattern", TestPattern.frame(width: 640, height: 480, counter: 37, timestampNs: 1_234_567_890)),
    ]

    static func psnr(_ frame: VideoFrame, _ options: RenderOptions, cols: Int = 160, rows: Int = 48) -> Double {
        let grid = FrameRenderer(options: options).render(frame, cols: cols, rows: rows)
        let px = options.mode == .quadrant ? 2 : 1
        let rect = grid.videoRect
        let ref = Pictures.reference(frame, width: rect.cols * px, height: rect.rows * 2)
        return Pictures.psnr(Pictures.shown(grid, pixelsX: px), ref)
    }

    @Test(arguments: [0, 1])
    func trueColourHalfBlockIsNearLossless(picture: Int) {
        let (name, frame) = Self.pictures[picture]
        let db = Self.psnr(frame, RenderOptions(mode: .halfBlock, depth: .trueColor))
        #expect(db >= 45, "\(name): \(db) dB")
    }

    @Test func palette256IsAtLeast30dBOnTheTestPattern() {
        let db = Self.psnr(Self.pictures[1].1, RenderOptions(mode: .halfBlock, depth: .palette256(dither: false)))
        #expect(db >= 30, "\(db) dB")
    }

    @Test func dithered256IsAtLeast30dBOnAPhotoAsSeenOverTheDitherPeriod() {
        // Pixel by pixel no map into xterm's 256 colours reaches 30 dB on a saturated photo (the RGB-
        // nearest map gives about 23 dB: the cube has nothing between 0 and 95). Ordered dithering
        // restores the colours on average over its 4×4 period, which is what the eye sees.
        let frame = Self.pictures[0].1
        let grid = FrameRenderer(options: RenderOptions(depth: .palette256(dither: true))).render(frame, cols: 160, rows: 48)
        let rect = grid.videoRect
        let w = rect.cols, h = rect.rows * 2
        let ref = Pictures.reference(frame, width: w, height: h)
        let shown = Pictures.shown(grid, pixelsX: 1)
        func average4x4(_ p: [RGB]) -> [RGB] {
            var out: [RGB] = []
            for y in stride(from: 0, to: h - 3, by: 4) {
                for x in stride(from: 0, to: w - 3, by: 4) {
                    var a = RGB(0, 0, 0)
                    for dy in 0..<4 { for dx in 0..<4 {
                        let q = p[(y + dy) * w + x + dx]; a.r += q.r / 16; a.g += q.g / 16; a.b += q.b / 16
                    } }
                    out.append(a)
                }
            }
            return out
        }
        let db = Pictures.psnr(average4x4(shown), average4x4(ref))
        let plain = Self.psnr(frame, RenderOptions(depth: .palette256(dither: false)))
        #expect(db >= 30, "\(db) dB dithered over 4×4, \(plain) dB undithered pixel by pixel")
    }

    @Test func lowerDepthsLoseFidelityInOrder() {
        let frame = Self.pictures[0].1
        let tc = Self.psnr(frame, RenderOptions(depth: .trueColor))
        let p256 = Self.psnr(frame, RenderOptions(depth: .palette256(dither: false)))
        let p16 = Self.psnr(frame, RenderOptions(depth: .palette16))
        #expect(tc > p256 && p256 > p16)
    }

    /// Sharp vertical edges every 7.5 source pixels: at 160×48 cells a cell is 5 pixels wide, so
    /// the edges fall inside cells (on quadrant boundaries, 2.5 pixels) as text strokes would.
    static func edges(width: Int, height: Int) -> VideoFrame {
        Pictures.frame(width: width, height: height) { x, y in
            let stroke = (2 * x / 15) % 2 == 0
            let checker = ((2 * x / 15) + (y / 10)) % 2 == 0
            if y < height / 2 { return stroke ? (240, 240, 240) : (20, 30, 60) }
            return checker ? (230, 60, 40) : (30, 200, 90)
        }
    }

    @Test func quadrantBeatsHalfBlockOnEdges() {
        // Same cell count; both rebuilt at the quadrant resolution (a half-block cell is one pixel
        // wide, so its pixel fills both columns).
        let frame = Self.edges(width: 640, height: 480)
        let cols = 160, rows = 48
        let half = FrameRenderer(options: RenderOptions(mode: .halfBlock)).render(frame, cols: cols, rows: rows)
        let quad = FrameRenderer(options: RenderOptions(mode: .quadrant)).render(frame, cols: cols, rows: rows)
        #expect(half.videoRect == quad.videoRect)
        let rect = quad.videoRect
        let ref = Pictures.reference(frame, width: rect.cols * 2, height: rect.rows * 2)
        let halfShown = Pictures.shown(half, pixelsX: 2), quadShown = Pictures.shown(quad, pixelsX: 2)
        let halfDB = Pictures.psnr(halfShown, ref), quadDB = Pictures.psnr(quadShown, ref)
        #expect(quadDB >= halfDB + 3, "quadrant \(quadDB) dB, half-block \(halfDB) dB")
        // Edge placement: horizontal gradients (where the edges are and how strong) against the reference's.
        func gradients(_ p: [RGB]) -> [Double] {
            let w = rect.cols * 2
            var out: [Double] = []
            for y in 0..<(rect.rows * 2) {
                for x in 1..<w {
                    let a = p[y * w + x], b = p[y * w + x - 1]
                    out.append(a.r - b.r + a.g - b.g + a.b - b.b)
                }
            }
            return out
        }
        let refG = gradients(ref)
        func gradientError(_ p: [RGB]) -> Double { zip(gradients(p), refG).map { abs($0 - $1) }.reduce(0, +) }
        let halfErr = gradientError(halfShown), quadErr = gradientError(quadShown)
        #expect(quadErr < 0.5 * halfErr, "gradient error: quadrant \(quadErr), half-block \(halfErr)")
    }
}
