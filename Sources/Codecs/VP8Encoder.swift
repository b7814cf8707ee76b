import CShims
import CVPX
import Media

/// One compressed VP8 frame as it leaves the encoder.
public struct VP8EncodedFrame: Sendable, Equatable {
    /// The whole VP8 frame, ready for RTP packetization.
    public var data: [UInt8]
    /// True when the frame decodes without references (answers a PLI/FIR).
    public var isKeyframe: Bool
    /// Coded picture size.
    public var width: Int
    public var height: Int
    /// The capture timestamp of the source frame (`VideoFrame.timestampNs`).
    public var timestampNs: UInt64

    public init(data: [UInt8], isKeyframe: Bool, width: Int, height: Int, timestampNs: UInt64) {
        self.data = data; self.isKeyframe = isKeyframe
        self.width = width; self.height = height; self.timestampNs = timestampNs
    }
}

/// A libvpx VP8 encoder tuned for calls: CBR, no lookahead, error resilient, no alt-ref.
/// Owned by one thread; other threads ask for keyframes and bitrates through `requests`.
/// The encoder is created at the first frame's size and recreated when the size changes.
public final class VP8Encoder {
    /// RTP video clock: timestamps handed to libvpx count 90 kHz ticks.
    public static let timebaseHz = 90_000

    /// Thread-safe keyframe and bitrate requests, applied at the next `encode`.
    public let requests = VideoEncoderRequests()
    /// Settings in force, including the latest applied bitrate.
    public private(set) var settings: VP8EncoderSettings
    /// Current coded size; 0 before the first frame.
    public private(set) var width = 0
    public private(set) var height = 0

    private let ctx: UnsafeMutablePointer<vpx_codec_ctx_t>
    private var isOpen = false
    private var cfg = vpx_codec_enc_cfg_t()
    private var keyframePending = false
    private var firstTimestampNs: UInt64?
    private var lastPts: Int64 = -1

    /// An encoder that starts at the first frame it is given.
    public init(settings: VP8EncoderSettings = VP8EncoderSettings()) {
        self.settings = settings
        self.settings.bitrate = Self.clampBitrate(settings.bitrate)
        ctx = .allocate(capacity: 1)
        ctx.initialize(to: vpx_codec_ctx_t())
    }

    deinit {
        if isOpen { vpx_codec_destroy(ctx) }
        ctx.deallocate()
    }

    /// Compresses one I420 frame; nil when rate control dropped it to stay within the bitrate.
    public func encode(_ frame: VideoFrame) throws(VP8EncoderError) -> VP8EncodedFrame? {
        let request = requests.take()
        if request.keyframe { keyframePending = true }
        if let bitrate = request.bitrate { try applyBitrate(bitrate) }
        if !isOpen || frame.width != width || frame.height != height {
            try open(width: frame.width, height: frame.height)
        }

        let duration = Int64(Self.timebaseHz / max(1, settings.frameRate))
        let pts = nextPts(frame.timestampNs, duration: duration)
        var flags: vpx_enc_frame_flags_t = 0
        if keyframePending { flags |= vpx_enc_frame_flags_t(VPX_EFLAG_FORCE_KF) }

        var image = vpx_image_t()
        image.fmt = VPX_IMG_FMT_I420
        image.w = UInt32(frame.width); image.h = UInt32(frame.height)
        image.d_w = image.w; image.d_h = image.h
        image.bit_depth = 8
        image.x_chroma_shift = 1; image.y_chroma_shift = 1
        image.bps = 12
        image.stride = (Int32(frame.strideY), Int32(frame.strideU), Int32(frame.strideV), 0)
        // libvpx copies the picture into its own buffer during vpx_codec_encode, so borrowing is enough.
        let status = frame.y.withUnsafeBufferPointer { y in
            frame.u.withUnsafeBufferPointer { u in
                frame.v.withUnsafeBufferPointer { v in
                    image.planes = (UnsafeMutablePointer(mutating: y.baseAddress),
                                    UnsafeMutablePointer(mutating: u.baseAddress),
                                    UnsafeMutablePointer(mutating: v.baseAddress), nil)
                    return vpx_codec_encode(ctx, &image, pts, UInt(duration), flags, UInt(VPX_DL_REALTIME))
                }
            }
        }
        guard status == VPX_CODEC_OK else { throw .encodeFailed(errorText(status)) }

        var data = [UInt8]()
        var isKeyframe = false
        var iter: vpx_codec_iter_t? = nil
        while let packet = vpx_codec_get_cx_data(ctx, &iter) {
            guard packet.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let f = packet.pointee.data.frame
            if let buf = f.buf, f.sz > 0 {
                data.append(contentsOf: UnsafeRawBufferPointer(start: buf, count: f.sz))
            }
            if f.flags & vpx_codec_frame_flags_t(VPX_FRAME_IS_KEY) != 0 { isKeyframe = true }
        }
        guard !data.isEmpty else { return nil }   // dropped: a pending keyframe stays pending
        if isKeyframe { keyframePending = false }
        return VP8EncodedFrame(data: data, isKeyframe: isKeyframe, width: width, height: height,
                               timestampNs: frame.timestampNs)
    }

    /// 90 kHz presentation time from the capture clock; forced to increase so rate control sees time pass.
    private func nextPts(_ timestampNs: UInt64, duration: Int64) -> Int64 {
        let first = firstTimestampNs ?? timestampNs
        if firstTimestampNs == nil { firstTimestampNs = timestampNs }
        var pts = timestampNs >= first
            ? Int64((timestampNs - first) / 1000 * UInt64(Self.timebaseHz) / 1_000_000) : -1
        if pts <= lastPts { pts = lastPts + duration }
        lastPts = pts
        return pts
    }

    private static func clampBitrate(_ b: Int) -> Int {
        min(max(b, VP8EncoderSettings.bitrateRange.lowerBound), VP8EncoderSettings.bitrateRange.upperBound)
    }

    /// Changes the target in place with vpx_codec_enc_config_set; recreating would force a keyframe.
    private func applyBitrate(_ bitsPerSecond: Int) throws(VP8EncoderError) {
        settings.bitrate = Self.clampBitrate(bitsPerSecond)
        guard isOpen else { return }
        cfg.rc_target_bitrate = UInt32(settings.bitrate / 1000)
        let status = vpx_codec_enc_config_set(ctx, &cfg)
        guard status == VPX_CODEC_OK else { throw .reconfigureFailed(errorText(status)) }
    }

    /// (Re)creates the encoder for a frame size. VP8 cannot grow a running encoder's size, and a
    /// new size needs a keyframe anyway, so a size change starts a fresh encoder.
    private func open(width w: Int, height h: Int) throws(VP8EncoderError) {
        if isOpen { vpx_codec_destroy(ctx); isOpen = false }
        var c = vpx_codec_enc_cfg_t()
        guard shim_vpx_vp8_enc_config_default(&c) == VPX_CODEC_OK else {
            throw .initFailed("vpx_codec_enc_config_default failed for VP8")
        }
        c.g_w = UInt32(w); c.g_h = UInt32(h)
        c.g_timebase = vpx_rational(num: 1, den: Int32(Self.timebaseHz))
        c.g_threads = UInt32(max(1, settings.threads))
        c.g_lag_in_frames = 0
        c.g_error_resilient = vpx_codec_er_flags_t(VPX_ERROR_RESILIENT_DEFAULT)
        c.g_pass = VPX_RC_ONE_PASS
        c.rc_end_usage = VPX_CBR
        c.rc_target_bitrate = UInt32(settings.bitrate / 1000)
        c.rc_min_quantizer = UInt32(settings.quantizerRange.lowerBound)
        c.rc_max_quantizer = UInt32(settings.quantizerRange.upperBound)
        c.rc_undershoot_pct = 100
        c.rc_overshoot_pct = 15
        c.rc_buf_initial_sz = 500
        c.rc_buf_optimal_sz = 600
        c.rc_buf_sz = 1000
        c.rc_resize_allowed = 0
        c.rc_dropframe_thresh = UInt32(settings.dropFrameThreshold)
        c.kf_mode = VPX_KF_AUTO
        c.kf_min_dist = 0
        c.kf_max_dist = UInt32(settings.keyframeMaxInterval)
        let status = shim_vpx_vp8_enc_init(ctx, &c, 0)
        guard status == VPX_CODEC_OK else {
            throw .initFailed("\(w)x\(h): \(errorText(status))")
        }
        isOpen = true
        cfg = c
        width = w; height = h
        let controls: [(vp8e_enc_control_id, Int)] = [
            (VP8E_SET_CPUUSED, settings.cpuUsed),
            (VP8E_SET_ENABLEAUTOALTREF, 0),
            (VP8E_SET_NOISE_SENSITIVITY, 0),
            (VP8E_SET_STATIC_THRESHOLD, 1),
            (VP8E_SET_TOKEN_PARTITIONS, Int(VP8_ONE_TOKENPARTITION.rawValue)),
            (VP8E_SET_MAX_INTRA_BITRATE_PCT, settings.maxIntraBitratePercent),
        ]
        for (id, value) in controls {
            let s = shim_vpx_control_int(ctx, Int32(id.rawValue), Int32(value))
            guard s == VPX_CODEC_OK else { throw .initFailed("control \(id.rawValue)=\(value): \(errorText(s))") }
        }
    }

    private func errorText(_ status: vpx_codec_err_t) -> String {
        var text = String(cString: vpx_codec_err_to_string(status))
        if isOpen, let detail = vpx_codec_error_detail(ctx) { text += " (\(String(cString: detail)))" }
        return text
    }
}

/// Why the VP8 encoder failed.
public enum VP8EncoderError: Error, Equatable, CustomStringConvertible {
    case initFailed(String)
    case reconfigureFailed(String)
    case encodeFailed(String)

    public var description: String {
        switch self {
        case .initFailed(let m):
            return "libvpx VP8 encoder could not start: \(m); check the frame size and that libvpx has VP8 encoding"
        case .reconfigureFailed(let m):
            return "libvpx VP8 encoder rejected a bitrate change: \(m)"
        case .encodeFailed(let m):
            return "libvpx VP8 encode failed: \(m); the input frame may not be valid I420"
        }
    }
}
