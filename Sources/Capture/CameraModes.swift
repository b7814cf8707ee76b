/// One pixel format a camera offers, with its sizes and frame rates.
public struct CameraFormat: Sendable, Equatable {
    /// FourCC such as "YUYV" or "MJPG".
    public var fourcc: String
    public var description: String
    /// True when libv4l2 converts to it rather than the camera producing it.
    public var emulated: Bool
    public var sizes: [CameraSize]

    public init(fourcc: String, description: String, emulated: Bool = false, sizes: [CameraSize]) {
        self.fourcc = fourcc; self.description = description; self.emulated = emulated; self.sizes = sizes
    }
}

/// A frame size and the frame rates offered at it.
public struct CameraSize: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// Frames per second; empty when the driver does not say.
    public var frameRates: [Double]

    public init(width: Int, height: Int, frameRates: [Double]) {
        self.width = width; self.height = height; self.frameRates = frameRates
    }
}

/// What the camera will be asked for.
public struct CameraMode: Sendable, Equatable {
    public var fourcc: String
    public var width: Int
    public var height: Int
    public var fps: Double
}

/// Picks the camera mode closest to a request. Pure, so it is tested without a camera.
public enum CameraModeChooser {
    /// Preference among native formats when sizes tie: raw first (cheap to convert), then MJPEG.
    static let formatRank = ["YU12": 0, "YUYV": 1, "NV12": 2, "UYVY": 3, "MJPG": 4, "JPEG": 5]

    /// The mode whose size is nearest (by area, then aspect), then whose rate is nearest
    /// without going below the request when possible. Nil when nothing is offered.
    public static func choose(from formats: [CameraFormat], width: Int, height: Int, fps: Double) -> CameraMode? {
        var best: (score: Double, mode: CameraMode)?
        let wantArea = Double(width * height), wantAspect = Double(width) / Double(height)
        for format in formats where !format.emulated {
            let rank = Double(formatRank[format.fourcc] ?? 10)
            for size in format.sizes {
                let area = Double(size.width * size.height)
                // Log-ratio of areas: 2x too big scores like 2x too small.
                var score = abs(log2(area / wantArea)) * 100
                score += abs(Double(size.width) / Double(size.height) - wantAspect) * 50
                let rates = size.frameRates.isEmpty ? [fps] : size.frameRates
                let rate = rates.min { rateCost($0, fps) < rateCost($1, fps) }!
                score += rateCost(rate, fps) + rank
                if best == nil || score < best!.score {
                    best = (score, CameraMode(fourcc: format.fourcc, width: size.width, height: size.height, fps: rate))
                }
            }
        }
        return best?.mode
    }

    /// Too slow costs more than too fast (motion suffers; extra frames can be dropped).
    private static func rateCost(_ rate: Double, _ want: Double) -> Double {
        rate >= want ? (rate - want) * 0.5 : (want - rate) * 3
    }

    private static func log2(_ x: Double) -> Double {
        // Swift's log2 needs Foundation/Glibc; a short loop is plenty for scoring.
        var v = x, r = 0.0
        while v >= 2 { v /= 2; r += 1 }
        while v < 1 { v *= 2; r -= 1 }
        return r + (v - 1)
    }
}
