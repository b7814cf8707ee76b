/// Real-time VP8 settings; the defaults follow libwebrtc's choices for calls.
public struct VP8EncoderSettings: Sendable, Equatable {
    /// Start bitrate: libwebrtc starts 640x480 calls at 300-500 kbit/s and lets bandwidth estimation raise it.
    public static let defaultBitrate = 500_000
    /// Bitrates accepted; requests outside are clamped (libvpx takes whole kbit/s).
    public static let bitrateRange = 30_000...20_000_000
    /// Nominal frame rate for rate control; real capture timestamps set the actual spacing.
    public static let defaultFrameRate = 30
    /// Force a keyframe at least this often (frames); libwebrtc's 3000 relies on PLI instead.
    public static let defaultKeyframeMaxInterval = 3000
    /// libvpx speed: negative means a fixed speed of |cpuUsed| with no auto-speed adaptation;
    /// libwebrtc uses -6 on desktops. Higher magnitude = faster, lower quality (max 16).
    public static let defaultCpuUsed = -6
    /// Encoder threads: libwebrtc uses 1 thread at 640x480 on machines with 2 cores or fewer.
    public static let defaultThreads = 1
    /// Quantizer range 0...63 (libwebrtc: 2...56; 56 caps the worst blockiness).
    public static let defaultQuantizerRange = 2...56
    /// Drop a frame rather than overflow the rate buffer when it falls below this percent (0 = never drop).
    public static let defaultDropFrameThreshold = 30
    /// Keyframe size cap as percent of an average frame (libwebrtc: optimal buffer 600 ms * 0.5 * 30 fps / 10).
    public static let defaultMaxIntraBitratePercent = 900

    /// Target bitrate in bits per second.
    public var bitrate = defaultBitrate
    /// Frames per second that rate control plans for.
    public var frameRate = defaultFrameRate
    /// Longest run of frames between keyframes.
    public var keyframeMaxInterval = defaultKeyframeMaxInterval
    /// libvpx VP8E_SET_CPUUSED.
    public var cpuUsed = defaultCpuUsed
    /// Encoder threads.
    public var threads = defaultThreads
    /// Allowed quantizers, 0...63.
    public var quantizerRange = defaultQuantizerRange
    /// Buffer fullness percent below which frames are dropped (0 = never).
    public var dropFrameThreshold = defaultDropFrameThreshold
    /// Keyframe size cap as percent of an average frame.
    public var maxIntraBitratePercent = defaultMaxIntraBitratePercent

    /// Settings with libwebrtc's defaults unless given.

    public init(bitrate: Int = defaultBitrate, frameRate: Int = defaultFrameRate,
                keyframeMaxInterval: Int = defaultKeyframeMaxInterval, cpuUsed: Int = defaultCpuUsed,
                threads: Int = defaultThreads, quantizerRange: ClosedRange<Int> = defaultQuantizerRange,
                dropFrameThreshold: Int = defaultDropFrameThreshold,
                maxIntraBitratePercent: Int = defaultMaxIntraBitratePercent) {
        self.bitrate = bitrate; self.frameRate = frameRate; self.keyframeMaxInterval = keyframeMaxInterval
        self.cpuUsed = cpuUsed; self.threads = threads; self.quantizerRange = quantizerRange
        self.dropFrameThreshold = dropFrameThreshold; self.maxIntraBitratePercent = maxIntraBitratePercent
    }
}
