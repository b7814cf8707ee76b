/// The uncompressed header at the start of every VP8 frame (RFC 6386 §9.1), parsed without
/// libvpx so that the RTP layer and the decoder can tell keyframes and sizes from the bytes alone.
public struct VP8FrameHeader: Sendable, Equatable {
    /// True for an intra frame that needs no reference (frame tag bit 0 == 0).
    public var isKeyframe: Bool
    /// Bitstream version 0...3 (profile).
    public var version: Int
    /// False for a frame that only updates references and is not displayed.
    public var showFrame: Bool
    /// Size in bytes of the first (mode/motion) partition.
    public var firstPartitionSize: Int
    /// Picture width in pixels; keyframes only.
    public var width: Int?
    /// Picture height in pixels; keyframes only.
    public var height: Int?
    /// Upscaling hint 0...3 for the width; keyframes only.
    public var horizontalScale: Int?
    /// Upscaling hint 0...3 for the height; keyframes only.
    public var verticalScale: Int?

    /// Bytes of the frame tag shared by all frames.
    public static let frameTagSize = 3
    /// Bytes of frame tag + start code + dimensions in a keyframe.
    public static let keyframeHeaderSize = 10
    /// Marks a keyframe right after its frame tag.
    public static let startCode: [UInt8] = [0x9D, 0x01, 0x2A]

    /// Parses the header at the start of a VP8 frame (the RTP payload after its VP8 descriptor).
    public static func parse<C: RandomAccessCollection>(_ bytes: C) throws(VP8FrameHeaderError) -> VP8FrameHeader
    where C.Element == UInt8 {
        var it = bytes.makeIterator()
        var head = [UInt8](); head.reserveCapacity(keyframeHeaderSize)
        while head.count < keyframeHeaderSize, let b = it.next() { head.append(b) }
        guard head.count >= frameTagSize else { throw .truncated(have: head.count, need: frameTagSize) }
        let tag = Int(head[0]) | Int(head[1]) << 8 | Int(head[2]) << 16
        var header = VP8FrameHeader(isKeyframe: tag & 1 == 0, version: (tag >> 1) & 7,
                                    showFrame: (tag >> 4) & 1 == 1, firstPartitionSize: tag >> 5)
        guard header.version <= 3 else { throw .unsupportedVersion(header.version) }
        guard header.isKeyframe else { return header }
        guard head.count >= keyframeHeaderSize else {
            throw .truncated(have: head.count, need: keyframeHeaderSize)
        }
        guard Array(head[3..<6]) == startCode else { throw .badStartCode(Array(head[3..<6])) }
        let w = Int(head[6]) | Int(head[7]) << 8
        let h = Int(head[8]) | Int(head[9]) << 8
        header.width = w & 0x3FFF
        header.height = h & 0x3FFF
        header.horizontalScale = w >> 14
        header.verticalScale = h >> 14
        guard header.width! > 0, header.height! > 0 else { throw .zeroSize }
        return header
    }

    /// Whether a VP8 frame is a keyframe; false for anything too short or malformed to be one.
    public static func isKeyframe<C: RandomAccessCollection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        (try? parse(bytes))?.isKeyframe ?? false
    }

    /// A header from its fields (width and height only for keyframes).
    public init(isKeyframe: Bool, version: Int, showFrame: Bool, firstPartitionSize: Int,
                width: Int? = nil, height: Int? = nil, horizontalScale: Int? = nil, verticalScale: Int? = nil) {
        self.isKeyframe = isKeyframe; self.version = version; self.showFrame = showFrame
        self.firstPartitionSize = firstPartitionSize
        self.width = width; self.height = height
        self.horizontalScale = horizontalScale; self.verticalScale = verticalScale
    }
}

/// Why bytes are not a VP8 frame header.
public enum VP8FrameHeaderError: Error, Equatable, CustomStringConvertible {
    case truncated(have: Int, need: Int)
    case unsupportedVersion(Int)
    case badStartCode([UInt8])
    case zeroSize

    public var description: String {
        switch self {
        case let .truncated(have, need):
            return "VP8 frame too short: \(have) bytes, the header needs \(need) (packet truncated or not VP8)"
        case let .unsupportedVersion(v):
            return "VP8 frame declares version \(v); only 0...3 exist (payload is not VP8 or is corrupt)"
        case let .badStartCode(b):
            return "VP8 keyframe lacks start code 9d 01 2a (got \(b.map { String($0, radix: 16) })); payload is corrupt"
        case .zeroSize:
            return "VP8 keyframe declares a zero width or height; payload is corrupt"
        }
    }
}
