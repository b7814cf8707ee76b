/// One picture in I420 (YU12): a full-resolution Y plane, then quarter-size U and V planes.
/// Planes are contiguous byte arrays with explicit strides so that decoders and cameras
/// with padded rows can hand frames over without repacking.
public struct VideoFrame: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var y: [UInt8]
    public var u: [UInt8]
    public var v: [UInt8]
    public var strideY: Int
    public var strideU: Int
    public var strideV: Int
    /// Monotonic capture time in nanoseconds (`MonotonicClock.now()`).
    public var timestampNs: UInt64

    public var chromaWidth: Int { (width + 1) / 2 }
    public var chromaHeight: Int { (height + 1) / 2 }

    public init(width: Int, height: Int, y: [UInt8], u: [UInt8], v: [UInt8],
                strideY: Int, strideU: Int, strideV: Int, timestampNs: UInt64) {
        precondition(width > 0 && height > 0, "frame size must be positive")
        precondition(strideY >= width && strideU >= (width + 1) / 2 && strideV >= (width + 1) / 2)
        precondition(y.count >= strideY * height)
        precondition(u.count >= strideU * ((height + 1) / 2) && v.count >= strideV * ((height + 1) / 2))
        self.width = width; self.height = height
        self.y = y; self.u = u; self.v = v
        self.strideY = strideY; self.strideU = strideU; self.strideV = strideV
        self.timestampNs = timestampNs
    }

    /// A tightly packed frame filled with one YUV colour.
    public init(width: Int, height: Int, fillY: UInt8 = 16, fillU: UInt8 = 128, fillV: UInt8 = 128,
                timestampNs: UInt64 = 0) {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        self.init(width: width, height: height,
                  y: [UInt8](repeating: fillY, count: width * height),
                  u: [UInt8](repeating: fillU, count: cw * ch),
                  v: [UInt8](repeating: fillV, count: cw * ch),
                  strideY: width, strideU: cw, strideV: cw, timestampNs: timestampNs)
    }

    @inlinable public func lumaAt(x: Int, y row: Int) -> UInt8 { y[row * strideY + x] }
    @inlinable public func uAt(x: Int, y row: Int) -> UInt8 { u[(row / 2) * strideU + x / 2] }
    @inlinable public func vAt(x: Int, y row: Int) -> UInt8 { v[(row / 2) * strideV + x / 2] }

    /// The same picture with strides equal to the plane widths.
    public func packed() -> VideoFrame {
        if strideY == width && strideU == chromaWidth && strideV == chromaWidth { return self }
        func pack(_ plane: [UInt8], _ stride: Int, _ w: Int, _ h: Int) -> [UInt8] {
            var out = [UInt8](); out.reserveCapacity(w * h)
            for row in 0..<h { out.append(contentsOf: plane[(row * stride)..<(row * stride + w)]) }
            return out
        }
        return VideoFrame(width: width, height: height,
                          y: pack(y, strideY, width, height),
                          u: pack(u, strideU, chromaWidth, chromaHeight),
                          v: pack(v, strideV, chromaWidth, chromaHeight),
                          strideY: width, strideU: chromaWidth, strideV: chromaWidth,
                          timestampNs: timestampNs)
    }
}
