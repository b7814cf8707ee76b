import Media

/// The stream header of a YUV4MPEG2 (.y4m) file: size, frame rate and 4:2:0 chroma siting.
public struct Y4MHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var frameRateNumerator: Int
    public var frameRateDenominator: Int
    /// The `C` tag as written; every accepted value is 8-bit 4:2:0 with the same plane layout.
    public var chroma: String

    /// 4:2:0 chroma tags this reader accepts (siting differs, planes do not).
    public static let supportedChroma = ["420", "420jpeg", "420mpeg2", "420paldv"]
    /// Frame rate used when a header has no `F` tag.
    public static let defaultFrameRate = (30, 1)
    /// Longest header line accepted (real headers are under 100 bytes).
    public static let maxHeaderLength = 4096

    public init(width: Int, height: Int, frameRateNumerator: Int = 30, frameRateDenominator: Int = 1,
                chroma: String = "420jpeg") {
        self.width = width; self.height = height
        self.frameRateNumerator = frameRateNumerator; self.frameRateDenominator = frameRateDenominator
        self.chroma = chroma
    }

    public var framesPerSecond: Double { Double(frameRateNumerator) / Double(frameRateDenominator) }
    /// Bytes of one frame's planes.
    public var frameBytes: Int { width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2) }

    /// Parses the header line (without the newline); `name` appears in errors.
    public static func parse(_ line: String, name: String = "Y4M stream") throws -> Y4MHeader {
        var tokens = line.split(separator: " ", omittingEmptySubsequences: true)
        guard tokens.first == "YUV4MPEG2" else {
            throw MediaFileError("\(name) is not a Y4M file (no YUV4MPEG2 signature); convert it with "
                                 + "`ffmpeg -i INPUT -pix_fmt yuv420p OUTPUT.y4m`")
        }
        tokens.removeFirst()
        var width = 0, height = 0
        var rate = defaultFrameRate
        var chroma = "420jpeg"
        for token in tokens {
            let value = String(token.dropFirst())
            switch token.first {
            case "W": width = Int(value) ?? 0
            case "H": height = Int(value) ?? 0
            case "F":
                let parts = value.split(separator: ":")
                guard parts.count == 2, let n = Int(parts[0]), let d = Int(parts[1]), n > 0, d > 0 else {
                    throw MediaFileError("\(name) has a bad frame rate '\(value)' in its header")
                }
                rate = (n, d)
            case "C": chroma = value
            default: break  // I (interlacing), A (aspect), X (comments) do not change the planes
            }
        }
        guard width > 0, height > 0, width <= 16384, height <= 16384 else {
            throw MediaFileError("\(name) has a missing or bad frame size (W\(width) H\(height)) in its header")
        }
        guard supportedChroma.contains(chroma) else {
            throw MediaFileError("\(name) uses chroma C\(chroma); only 8-bit 4:2:0 is supported: convert it with "
                                 + "`ffmpeg -i INPUT -pix_fmt yuv420p OUTPUT.y4m`")
        }
        return Y4MHeader(width: width, height: height, frameRateNumerator: rate.0,
                         frameRateDenominator: rate.1, chroma: chroma)
    }

    /// The header line including its newline.
    public var line: String {
        "YUV4MPEG2 W\(width) H\(height) F\(frameRateNumerator):\(frameRateDenominator) Ip A1:1 C\(chroma)\n"
    }
}

/// Reads I420 frames from a .y4m file, one at a time (files may be larger than memory).
public final class Y4MReader {
    public let path: String
    public let header: Y4MHeader
    private let file: BinaryFile
    private let firstFrameOffset: Int
    /// Frames read since open or the last rewind.
    public private(set) var framesRead = 0

    public init(path: String) throws {
        self.path = path
        file = try BinaryFile(path: path, mode: "rb")
        guard let line = file.readLine(limit: Y4MHeader.maxHeaderLength) else {
            throw MediaFileError("\(path) is empty; expected a Y4M video")
        }
        header = try Y4MHeader.parse(String(decoding: line, as: UTF8.self), name: path)
        firstFrameOffset = file.offset
    }

    /// The next frame, or nil at the clean end of the file; throws on a truncated or corrupt frame.
    public func readFrame(timestampNs: UInt64 = 0) throws -> VideoFrame? {
        guard let marker = file.readLine(limit: 1024) else { return nil }
        guard marker.starts(with: Array("FRAME".utf8)) else {
            throw MediaFileError("\(path): frame \(framesRead) does not start with FRAME; the file is corrupt")
        }
        let h = header
        let data = file.read(h.frameBytes)
        guard data.count == h.frameBytes else {
            throw MediaFileError("\(path): frame \(framesRead) is truncated (\(data.count) of \(h.frameBytes) bytes); "
                                 + "the file was cut short")
        }
        let ySize = h.width * h.height, cw = (h.width + 1) / 2, cSize = cw * ((h.height + 1) / 2)
        framesRead += 1
        return VideoFrame(width: h.width, height: h.height,
                          y: Array(data[0..<ySize]), u: Array(data[ySize..<(ySize + cSize)]),
                          v: Array(data[(ySize + cSize)...]),
                          strideY: h.width, strideU: cw, strideV: cw, timestampNs: timestampNs)
    }

    /// Goes back to the first frame (for looping).
    public func rewind() {
        file.seek(to: firstFrameOffset)
        framesRead = 0
    }
}

/// Writes I420 frames to a .y4m file. Frames of another size than the header are scaled to it
/// (a received stream may change resolution; a Y4M file cannot).
public final class Y4MWriter {
    public let path: String
    public let header: Y4MHeader
    private let file: BinaryFile
    public private(set) var framesWritten = 0

    public init(path: String, header: Y4MHeader) throws {
        self.path = path
        self.header = header
        file = try BinaryFile(path: path, mode: "wb")
        try file.write(Array(header.line.utf8))
    }

    public func write(_ frame: VideoFrame) throws {
        let f = (frame.width == header.width && frame.height == header.height)
            ? frame.packed() : FrameScaler.scale(frame, width: header.width, height: header.height)
        try file.write(Array("FRAME\n".utf8))
        try file.write(f.y)
        try file.write(f.u)
        try file.write(f.v)
        framesWritten += 1
    }

    /// Flushes and closes; later writes throw.
    public func close() {
        file.flush()
        file.close()
    }
}

/// Nearest-neighbour scaling of I420 frames (good enough for recording and tests).
public enum FrameScaler {
    public static func scale(_ frame: VideoFrame, width: Int, height: Int) -> VideoFrame {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        func plane(_ src: [UInt8], _ stride: Int, _ sw: Int, _ sh: Int, _ dw: Int, _ dh: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0, count: dw * dh)
            for row in 0..<dh {
                let sy = min(sh - 1, row * sh / dh)
                for x in 0..<dw { out[row * dw + x] = src[sy * stride + min(sw - 1, x * sw / dw)] }
            }
            return out
        }
        return VideoFrame(width: width, height: height,
                          y: plane(frame.y, frame.strideY, frame.width, frame.height, width, height),
                          u: plane(frame.u, frame.strideU, frame.chromaWidth, frame.chromaHeight, cw, ch),
                          v: plane(frame.v, frame.strideV, frame.chromaWidth, frame.chromaHeight, cw, ch),
                          strideY: width, strideU: cw, strideV: cw, timestampNs: frame.timestampNs)
    }
}
