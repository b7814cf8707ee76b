#if canImport(Glibc)
import Glibc
#endif
import Media

/// Objective picture quality, for codec tests and benchmarks.
public enum VideoQuality {
    /// PSNR reported for identical pictures (the true value is infinite).
    public static let identicalPSNR = 100.0

    /// Luma PSNR in dB of `decoded` against `reference` (8-bit peak 255); nil when sizes differ.
    public static func lumaPSNR(_ reference: VideoFrame, _ decoded: VideoFrame) -> Double? {
        guard reference.width == decoded.width, reference.height == decoded.height else { return nil }
        var sse = 0
        for row in 0..<reference.height {
            let a = row * reference.strideY, b = row * decoded.strideY
            for x in 0..<reference.width {
                let d = Int(reference.y[a + x]) - Int(decoded.y[b + x])
                sse += d * d
            }
        }
        guard sse > 0 else { return identicalPSNR }
        let mse = Double(sse) / Double(reference.width * reference.height)
        return 10 * log10(255 * 255 / mse)
    }
}
