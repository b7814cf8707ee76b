#if canImport(Glibc)
import Glibc
#endif
import Media

/// Maps the command-line choices (`--camera`, `--mic`, `--speaker`, `--record`) to sources and
/// sinks, with errors that say what was wrong and what to use instead.
public enum CaptureOptions {
    public static let defaultCamera = "/dev/video0"
    public static let defaultMic = "default"
    public static let defaultSpeaker = "default"
    public static let defaultWidth = 640
    public static let defaultHeight = 480
    public static let defaultFps = 30.0
    /// Word that disables a side.
    public static let none = "none"
    /// Word that selects the synthetic source (test pattern / tone).
    public static let test = "test"

    /// `--camera test|none|/dev/videoN|FILE.y4m`; nil for `none`.
    public static func videoSource(spec: String, width: Int = defaultWidth, height: Int = defaultHeight,
                                   fps: Double = defaultFps) throws -> (any VideoSource)? {
        guard width >= 16, height >= 16, width <= 7680, height <= 4320, width % 2 == 0, height % 2 == 0 else {
            throw CaptureError("bad video size \(width)x\(height): use even sizes from 16x16 to 7680x4320, e.g. 640x480")
        }
        guard fps > 0 && fps <= 240 else { throw CaptureError("bad frame rate \(fps): use 1 to 240, e.g. 30") }
        switch spec {
        case none: return nil
        case test: return TestPatternSource(width: width, height: height, fps: fps)
        default:
            if spec.lowercased().hasSuffix(".y4m") { return try Y4MFileSource(path: spec) }
            if spec.hasPrefix("/dev/") || isCharacterDevice(spec) {
                return try V4L2CameraSource(path: spec, width: width, height: height, fps: fps)
            }
            if isRegularFile(spec) {
                throw CaptureError("\(spec) is a file but not a .y4m video; convert it with "
                                   + "`ffmpeg -i \(spec) -pix_fmt yuv420p clip.y4m`, or use --camera test")
            }
            throw CaptureError("unknown camera '\(spec)': use a device such as /dev/video0 (see `tuicall devices`), "
                               + "a .y4m file, 'test' or 'none'")
        }
    }

    /// `--mic test|none|FILE.wav|<ALSA PCM>`; nil for `none`.
    public static func audioSource(spec: String, channels: Int = 1) throws -> (any AudioSource)? {
        switch spec {
        case none: return nil
        case test: return ToneSource(channels: channels)
        default:
            if spec.lowercased().hasSuffix(".wav") { return try WavFileSource(path: spec) }
            return try AlsaCaptureSource(device: spec, channels: channels)
        }
    }

    /// `--speaker none|FILE.wav|<ALSA PCM>`; nil for `none`.
    public static func audioSink(spec: String, channels: Int = 1) throws -> (any AudioSink)? {
        switch spec {
        case none: return nil
        default:
            if spec.lowercased().hasSuffix(".wav") { return try WavFileSink(path: spec) }
            return try AlsaPlaybackSink(device: spec, channels: channels)
        }
    }

    /// Records received video to a .y4m file.
    public static func videoSink(path: String) throws -> any VideoSink {
        guard path.lowercased().hasSuffix(".y4m") else {
            throw CaptureError("cannot record video to '\(path)': only .y4m files are written; name it e.g. received.y4m")
        }
        return try Y4MFileSink(path: path)
    }

    static func isCharacterDevice(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR
    }

    static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
