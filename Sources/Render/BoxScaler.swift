import Media

/// Area-averaging (box filter) scaler from an I420 frame to three full-resolution planes at the
/// target size. Every output pixel is the exact area-weighted mean of the source pixels it covers,
/// computed in fixed point: vertical weights sum to `verticalOne` (so the row accumulator fits 16-bit
/// lanes, which SSE2 multiplies eight at a time), horizontal ones to `weightOne`; outputs keep
/// `fractionBits`.
///
/// Averaging Y, U and V before converting to RGB equals averaging RGB (the conversion is affine)
/// except where RGB clips, and costs far less. Spans are precomputed per geometry, scratch buffers
/// are reused, so scaling a frame allocates nothing once the geometry is known.
public final class BoxScaler {
    /// Fixed-point weight scale per axis (weights of one output pixel sum to this).
    public static let weightBits = 12
    public static let weightOne = Int32(1 << weightBits)
    /// Vertical weight scale: 255 × 256 still fits in 16 bits.
    public static let verticalBits = 8
    public static let verticalOne = Int32(1 << verticalBits)
    /// Fraction bits kept in the output planes (value × 16).
    public static let fractionBits = 4

    /// Source pixels and weights that make up each output pixel along one axis.
    struct Spans {
        var first: [Int32] = []      // first source index of output i
        var offset: [Int32] = []     // start of output i's weights in `weights` (count + 1 entries)
        var weights: [Int32] = []
        /// The same weights with a fixed tap count per output (zero-padded), for a branch-free inner loop.
        var taps = 0
        var paddedFirst: [Int32] = []
        var padded: [Int32] = []

        init() {}

        /// `outCount` outputs over a luma length `lumaLength`, read from source samples that each cover
        /// `step` luma pixels (1 for luma, 2 for subsampled chroma); `sourceCount` samples exist.
        /// Weights of one output sum to `one`.
        init(outCount: Int, lumaLength: Int, step: Int, sourceCount: Int, one: Int32 = BoxScaler.weightOne) {
            first.reserveCapacity(outCount); offset.reserveCapacity(outCount + 1)
            let n = outCount, L = lumaLength
            for i in 0..<n {
                // In units of 1/n luma pixel, output i covers [i*L, (i+1)*L).
                let lo = i * L, hi = (i + 1) * L
                let j0 = lo / (step * n), j1 = min(sourceCount - 1, (hi - 1) / (step * n))
                var raw: [Int] = []
                for j in j0...j1 {
                    let s = j * step * n, e = min((j + 1) * step, L) * n
                    raw.append(max(0, min(e, hi) - max(s, lo)))
                }
                let total = raw.reduce(0, +)
                first.append(Int32(j0)); offset.append(Int32(weights.count))
                // Round cumulative sums so that the weights add up to exactly `one`.
                var cum = 0, prev = 0
                for w in raw {
                    cum += w
                    let next = (cum * Int(one) + total / 2) / total
                    weights.append(Int32(next - prev)); prev = next
                }
            }
            offset.append(Int32(weights.count))
            for i in 0..<n { taps = max(taps, Int(offset[i + 1] - offset[i])) }
            padded = [Int32](repeating: 0, count: n * taps)
            for i in 0..<n {
                let j0 = Int(first[i]), pf = max(0, min(j0, sourceCount - taps))
                paddedFirst.append(Int32(pf))
                for k in Int(offset[i])..<Int(offset[i + 1]) {
                    padded[i * taps + j0 - pf + k - Int(offset[i])] = weights[k]
                }
            }
        }
    }

    struct Geometry: Equatable {
        var srcW, srcH, dstW, dstH: Int
    }

    private var geometry: Geometry?
    private var lumaX = Spans(), lumaY = Spans(), chromaX = Spans(), chromaY = Spans()
    private var accumulator: UnsafeMutableBufferPointer<UInt16> = .allocate(capacity: 0)
    /// Output planes (internal: raw memory stays inside): Y, U, V × 2^fractionBits, row-major.
    private(set) var planeY: UnsafeMutableBufferPointer<Int32> = .allocate(capacity: 0)
    private(set) var planeU: UnsafeMutableBufferPointer<Int32> = .allocate(capacity: 0)
    private(set) var planeV: UnsafeMutableBufferPointer<Int32> = .allocate(capacity: 0)
    public private(set) var width = 0
    public private(set) var height = 0

    public init() {}

    deinit {
        accumulator.deallocate(); planeY.deallocate(); planeU.deallocate(); planeV.deallocate()
    }

    /// Scales `frame` to `width × height` (both ≥ 1) into `planeY`, `planeU`, `planeV`.
    public func scale(_ frame: VideoFrame, width: Int, height: Int) {
        precondition(width > 0 && height > 0, "scaled size must be positive")
        let g = Geometry(srcW: frame.width, srcH: frame.height, dstW: width, dstH: height)
        if g != geometry { prepare(g) }
        frame.y.withUnsafeBufferPointer { src in
            scalePlane(src.baseAddress!, stride: frame.strideY, srcWidth: frame.width,
                       xs: lumaX, ys: lumaY, into: planeY)
        }
        frame.u.withUnsafeBufferPointer { src in
            scalePlane(src.baseAddress!, stride: frame.strideU, srcWidth: frame.chromaWidth,
                       xs: chromaX, ys: chromaY, into: planeU)
        }
        frame.v.withUnsafeBufferPointer { src in
            scalePlane(src.baseAddress!, stride: frame.strideV, srcWidth: frame.chromaWidth,
                       xs: chromaX, ys: chromaY, into: planeV)
        }
    }

    private func prepare(_ g: Geometry) {
        let cw = (g.srcW + 1) / 2, ch = (g.srcH + 1) / 2
        lumaX = Spans(outCount: g.dstW, lumaLength: g.srcW, step: 1, sourceCount: g.srcW)
        lumaY = Spans(outCount: g.dstH, lumaLength: g.srcH, step: 1, sourceCount: g.srcH, one: BoxScaler.verticalOne)
        chromaX = Spans(outCount: g.dstW, lumaLength: g.srcW, step: 2, sourceCount: cw)
        chromaY = Spans(outCount: g.dstH, lumaLength: g.srcH, step: 2, sourceCount: ch, one: BoxScaler.verticalOne)
        if accumulator.count < g.srcW {
            accumulator.deallocate(); accumulator = .allocate(capacity: g.srcW)
        }
        let n = g.dstW * g.dstH
        if planeY.count != n {
            planeY.deallocate(); planeU.deallocate(); planeV.deallocate()
            planeY = .allocate(capacity: n); planeU = .allocate(capacity: n); planeV = .allocate(capacity: n)
        }
        width = g.dstW; height = g.dstH; geometry = g
    }

    /// Vertical pass into a row accumulator (a simple loop the compiler vectorises), then the
    /// horizontal pass over that one row.
    private func scalePlane(_ src: UnsafePointer<UInt8>, stride: Int, srcWidth: Int,
                            xs: Spans, ys: Spans, into out: UnsafeMutableBufferPointer<Int32>) {
        let acc = accumulator.baseAddress!
        let outP = out.baseAddress!
        let dstW = width
        let shift = UInt32(BoxScaler.verticalBits + BoxScaler.weightBits - BoxScaler.fractionBits)
        let half = UInt32(1) << (shift - 1)
        ys.first.withUnsafeBufferPointer { yFirst in
        ys.offset.withUnsafeBufferPointer { yOff in
        ys.weights.withUnsafeBufferPointer { yW in
        xs.paddedFirst.withUnsafeBufferPointer { xFirst in
        xs.padded.withUnsafeBufferPointer { xW in
            for oy in 0..<height {
                let k0 = Int(yOff[oy]), k1 = Int(yOff[oy + 1])
                var row = src + Int(yFirst[oy]) * stride
                let w0 = UInt16(yW[k0])
                for x in 0..<srcWidth { acc[x] = w0 &* UInt16(row[x]) }
                if k1 - k0 > 1 {
                    for k in (k0 + 1)..<k1 {
                        row += stride
                        let w = UInt16(yW[k])
                        if w == 0 { continue }
                        for x in 0..<srcWidth { acc[x] &+= w &* UInt16(row[x]) }
                    }
                }
                let outRow = outP + oy * dstW
                let taps = xs.taps
                for ox in 0..<dstW {
                    let a = acc + Int(xFirst[ox])
                    let w = xW.baseAddress! + ox * taps
                    // At most 255·2^8 · 2^12 in total: fits 32 bits.
                    var sum: UInt32 = 0
                    for j in 0..<taps { sum &+= UInt32(w[j]) &* UInt32(a[j]) }
                    outRow[ox] = Int32(truncatingIfNeeded: (sum &+ half) >> shift)
                }
            }
        }}}}}
    }
}
