import CShims
import CVPX
import Media

/// What decoding one VP8 frame gave.
public enum VP8DecodeResult: Sendable, Equatable {
    /// A good picture to show.
    case frame(VideoFrame)
    /// The frame decoded fine but is not for display (show_frame = 0, e.g. an alt-ref update).
    case hidden
    /// No picture: the stream is broken until a keyframe; the receiver should send PLI/FIR.
    case needsKeyframe(VP8DecodeProblem)
}

/// Why the decoder cannot produce a trustworthy picture.
public enum VP8DecodeProblem: Sendable, Equatable, CustomStringConvertible {
    /// A frame before this one was lost, so the references it builds on are missing.
    case missingReference
    /// Waiting for a keyframe since an earlier problem; delta frames are refused until then.
    case awaitingKeyframe
    /// libvpx flagged the decoded frame as corrupt (damaged data or a bad reference).
    case corrupted
    /// The bytes are not a decodable VP8 frame.
    case invalidFrame(String)

    public var description: String {
        switch self {
        case .missingReference: return "a previous VP8 frame was lost; waiting for a keyframe"
        case .awaitingKeyframe: return "VP8 delta frame refused until a keyframe arrives"
        case .corrupted: return "VP8 frame decoded as corrupt; waiting for a keyframe"
        case .invalidFrame(let m): return "VP8 frame could not be decoded (\(m)); waiting for a keyframe"
        }
    }
}

/// A libvpx VP8 decoder for any picture size, including size changes mid-stream. It tracks
/// whether its references can be trusted: after a loss or a corrupt frame it refuses delta
/// frames and answers `.needsKeyframe` until a keyframe arrives.
public final class VP8Decoder {
    /// Decoder threads; VP8 decoding at call sizes is fast enough on one.
    public static let defaultThreads = 1
    /// Largest picture accepted (4K UHD): a peer declaring more would make libvpx allocate gigabytes.
    public static let defaultMaxPictureArea = 3840 * 2160

    /// True from creation until the first keyframe, and after any loss or corruption.
    public private(set) var needsKeyframe = true
    /// Size of the last decoded picture, 0 before the first one.
    public private(set) var width = 0
    public private(set) var height = 0

    /// Keyframes declaring more pixels than this are refused.
    public let maxPictureArea: Int
    private let ctx: UnsafeMutablePointer<vpx_codec_ctx_t>

    /// A decoder that waits for a keyframe before showing anything.
    public init(threads: Int = defaultThreads, maxPictureArea: Int = defaultMaxPictureArea) throws(VP8DecoderError) {
        // Set up before storing anything, so a failure never reaches deinit.
        let c = UnsafeMutablePointer<vpx_codec_ctx_t>.allocate(capacity: 1)
        c.initialize(to: vpx_codec_ctx_t())
        var cfg = vpx_codec_dec_cfg_t(threads: UInt32(max(1, threads)), w: 0, h: 0)
        let status = shim_vpx_vp8_dec_init(c, &cfg, 0)
        guard status == VPX_CODEC_OK else {
            c.deallocate()
            throw .initFailed(String(cString: vpx_codec_err_to_string(status)))
        }
        ctx = c
        self.maxPictureArea = maxPictureArea
    }

    deinit {
        vpx_codec_destroy(ctx)
        ctx.deallocate()
    }

    /// Decodes one complete VP8 frame. Pass `missingBefore: true` when the transport knows a
    /// frame before this one was lost (a gap in RTP sequence numbers or picture IDs).
    /// Throws only when libvpx itself fails (out of memory); stream damage is a result.
    public func decode(_ data: [UInt8], missingBefore: Bool = false,
                       timestampNs: UInt64 = 0) throws(VP8DecoderError) -> VP8DecodeResult {
        let header: VP8FrameHeader
        do { header = try VP8FrameHeader.parse(data) } catch {
            needsKeyframe = true
            return .needsKeyframe(.invalidFrame(error.description))
        }
        if header.isKeyframe, let w = header.width, let h = header.height, w * h > maxPictureArea {
            needsKeyframe = true
            return .needsKeyframe(.invalidFrame("keyframe declares \(w)x\(h), more than the \(maxPictureArea)-pixel limit"))
        }
        if !header.isKeyframe {
            if missingBefore {
                needsKeyframe = true
                return .needsKeyframe(.missingReference)
            }
            if needsKeyframe { return .needsKeyframe(.awaitingKeyframe) }
        }

        let status = data.withUnsafeBufferPointer { buf in
            vpx_codec_decode(ctx, buf.baseAddress, UInt32(buf.count), nil, 0)
        }
        if status == VPX_CODEC_MEM_ERROR { throw .outOfMemory }
        guard status == VPX_CODEC_OK else {
            needsKeyframe = true
            var text = String(cString: vpx_codec_err_to_string(status))
            if let detail = vpx_codec_error_detail(ctx) { text += ": " + String(cString: detail) }
            drainImages()
            return .needsKeyframe(.invalidFrame(text))
        }
        var corrupted: Int32 = 0
        _ = shim_vpx_control_int_ptr(ctx, Int32(VP8D_GET_FRAME_CORRUPTED.rawValue), &corrupted)
        if corrupted != 0 {
            needsKeyframe = true
            drainImages()
            return .needsKeyframe(.corrupted)
        }
        if header.isKeyframe { needsKeyframe = false }

        var iter: vpx_codec_iter_t? = nil
        guard let image = vpx_codec_get_frame(ctx, &iter) else { return .hidden }
        let frame = Self.copy(image.pointee, timestampNs: timestampNs)
        drainImages()
        width = frame.width; height = frame.height
        return .frame(frame)
    }

    /// Discards any further images so the next decode starts clean.
    private func drainImages() {
        var iter: vpx_codec_iter_t? = nil
        while vpx_codec_get_frame(ctx, &iter) != nil {}
    }

    /// Copies libvpx's padded planes into a tightly packed frame it can outlive.
    private static func copy(_ img: vpx_image_t, timestampNs: UInt64) -> VideoFrame {
        let w = Int(img.d_w), h = Int(img.d_h)
        let cw = (w + 1) / 2, ch = (h + 1) / 2
        func plane(_ p: UnsafeMutablePointer<UInt8>?, _ stride: Int32, _ pw: Int, _ ph: Int) -> [UInt8] {
            guard let p else { return [UInt8](repeating: 128, count: pw * ph) }
            return [UInt8](unsafeUninitializedCapacity: pw * ph) { out, count in
                for row in 0..<ph {
                    (out.baseAddress! + row * pw).update(from: p + row * Int(stride), count: pw)
                }
                count = pw * ph
            }
        }
        return VideoFrame(width: w, height: h,
                          y: plane(img.planes.0, img.stride.0, w, h),
                          u: plane(img.planes.1, img.stride.1, cw, ch),
                          v: plane(img.planes.2, img.stride.2, cw, ch),
                          strideY: w, strideU: cw, strideV: cw, timestampNs: timestampNs)
    }
}

/// Why the VP8 decoder itself failed (as opposed to the stream being damaged).
public enum VP8DecoderError: Error, Equatable, CustomStringConvertible {
    case initFailed(String)
    case outOfMemory

    public var description: String {
        switch self {
        case .initFailed(let m): return "libvpx VP8 decoder could not start: \(m); check that libvpx has VP8 decoding"
        case .outOfMemory: return "libvpx VP8 decoder ran out of memory; the stream may declare a huge picture size"
        }
    }
}
