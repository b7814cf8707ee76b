extension VideoFrame {
    /// This picture shrunk by an integer `factor` (box filter: each sample is the rounded mean of factor × factor
    /// samples; odd edges repeat the last row or column). The send side's resolution steps use it.
    public func downscaled(by factor: Int) -> VideoFrame {
        guard factor > 1 else { return self }
        let w = max(1, width / factor), h = max(1, height / factor)
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        return VideoFrame(
            width: w, height: h,
            y: Self.shrink(y, stride: strideY, width: width, height: height, factor: factor, to: (w, h)),
            u: Self.shrink(u, stride: strideU, width: chromaWidth, height: chromaHeight, factor: factor, to: (cw, ch)),
            v: Self.shrink(v, stride: strideV, width: chromaWidth, height: chromaHeight, factor: factor, to: (cw, ch)),
            strideY: w, strideU: cw, strideV: cw, timestampNs: timestampNs)
    }

    private static func shrink(_ plane: [UInt8], stride: Int, width: Int, height: Int, factor: Int,
                               to size: (width: Int, height: Int)) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size.width * size.height)
        let area = factor * factor
        plane.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for oy in 0..<size.height {
                    for ox in 0..<size.width {
                        var sum = 0
                        for dy in 0..<factor {
                            let row = min(oy * factor + dy, height - 1) * stride
                            for dx in 0..<factor { sum += Int(src[row + min(ox * factor + dx, width - 1)]) }
                        }
                        dst[oy * size.width + ox] = UInt8((sum + area / 2) / area)
                    }
                }
            }
        }
        return out
    }
}
