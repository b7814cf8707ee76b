#if canImport(Glibc)
import Glibc
#endif
import Media
import CV4L2
import CShims

/// FourCC as V4L2 packs it (little-endian characters).
func fourcc(_ s: String) -> UInt32 {
    let b = Array(s.utf8) + [32, 32, 32, 32]
    return UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
}

func fourccString(_ v: UInt32) -> String {
    String(decoding: (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }, as: UTF8.self)
        .trimmingCharacters(in: " ")
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.last == set { s = s.dropLast() }
        return String(s)
    }
}

/// A C fixed-size char array (imported as a tuple) as a String.
func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// An open V4L2 capture device through libv4l2 (which converts MJPEG/YUYV to I420).
/// Owns the file descriptor; closes it on deinit.
final class V4L2Device {
    let path: String
    let fd: Int32
    let card: String
    let driver: String
    let busInfo: String

    static let v4l2CaptureCap: UInt32 = 0x0000_0001     // V4L2_CAP_VIDEO_CAPTURE
    static let v4l2StreamingCap: UInt32 = 0x0400_0000   // V4L2_CAP_STREAMING
    static let v4l2DeviceCaps: UInt32 = 0x8000_0000     // V4L2_CAP_DEVICE_CAPS
    static let emulatedFlag: UInt32 = 0x0002            // V4L2_FMT_FLAG_EMULATED

    /// Opens and checks that `path` is a streaming video-capture device, with errors that name
    /// the device and the remedy.
    init(path: String) throws {
        self.path = path
        var st = stat()
        if stat(path, &st) != 0 {
            throw V4L2Device.error(path: path, errno: errno)
        }
        if (st.st_mode & S_IFMT) != S_IFCHR {
            throw CaptureError("\(path) is not a video device (not a character device); "
                               + "cameras are /dev/video*; see `tuicall devices`, or use --camera test")
        }
        let fd = shim_v4l2_open(path, O_RDWR | O_NONBLOCK)
        guard fd >= 0 else { throw V4L2Device.error(path: path, errno: errno) }
        self.fd = fd
        var cap = v4l2_capability()
        if shim_v4l2_ioctl(fd, shim_VIDIOC_QUERYCAP(), &cap) != 0 {
            let e = errno
            v4l2_close(fd)
            throw e == ENOTTY || e == EINVAL
                ? CaptureError("\(path) is not a video device (it does not answer V4L2 queries); "
                               + "cameras are /dev/video*; see `tuicall devices`, or use --camera test")
                : V4L2Device.error(path: path, errno: e)
        }
        let caps = cap.capabilities & V4L2Device.v4l2DeviceCaps != 0 ? cap.device_caps : cap.capabilities
        card = cString(cap.card)
        driver = cString(cap.driver)
        busInfo = cString(cap.bus_info)
        guard caps & V4L2Device.v4l2CaptureCap != 0 else {
            v4l2_close(fd)
            throw CaptureError("\(path) (\(card)) is not a video capture device (it may be the camera's metadata "
                               + "node); try another /dev/video* from `tuicall devices`")
        }
        guard caps & V4L2Device.v4l2StreamingCap != 0 else {
            v4l2_close(fd)
            throw CaptureError("\(path) (\(card)) does not support streaming capture; try another camera")
        }
    }

    deinit { v4l2_close(fd) }

    /// Maps an errno from open/ioctl to a message naming the device and the remedy.
    static func error(path: String, errno e: Int32) -> CaptureError {
        switch e {
        case ENOENT, ENODEV, ENXIO:
            return CaptureError("no such device \(path): is a camera connected? list cameras with "
                                + "`tuicall devices`, or try --camera test")
        case EBUSY:
            return CaptureError("\(path) is busy: another program is using the camera; close it "
                                + "(e.g. `fuser \(path)` shows which), or try --camera test")
        case EACCES, EPERM:
            return CaptureError("permission denied opening \(path): add your user to the 'video' group "
                                + "(sudo usermod -aG video $USER) and log in again")
        case EISDIR, ENOTTY:
            return CaptureError("\(path) is not a video device; cameras are /dev/video*; see `tuicall devices`")
        default:
            return CaptureError("cannot use \(path): \(String(cString: strerror(e))); try --camera test")
        }
    }

    /// ioctl through libv4l2; returns errno (0 on success), retrying on EINTR.
    @discardableResult
    func ioctl<T>(_ request: UInt, _ arg: inout T) -> Int32 {
        while true {
            let rc = withUnsafeMutablePointer(to: &arg) { shim_v4l2_ioctl(fd, request, $0) }
            if rc == 0 { return 0 }
            if errno != EINTR { return errno }
        }
    }

    /// Formats, sizes and frame rates for video capture (native and libv4l2-emulated).
    func formats() -> [CameraFormat] {
        var out: [CameraFormat] = []
        for index in 0..<64 {
            var desc = v4l2_fmtdesc()
            desc.index = UInt32(index)
            desc.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            guard ioctl(shim_VIDIOC_ENUM_FMT(), &desc) == 0 else { break }
            out.append(CameraFormat(fourcc: fourccString(desc.pixelformat), description: cString(desc.description),
                                    emulated: desc.flags & V4L2Device.emulatedFlag != 0,
                                    sizes: sizes(pixelFormat: desc.pixelformat)))
        }
        return out
    }

    /// Common sizes offered when a driver reports a continuous or stepwise range.
    static let stepwiseCandidates = [(160, 120), (320, 240), (640, 360), (640, 480), (800, 600),
                                     (1280, 720), (1920, 1080)]

    private func sizes(pixelFormat: UInt32) -> [CameraSize] {
        var out: [CameraSize] = []
        for index in 0..<256 {
            var fs = v4l2_frmsizeenum()
            fs.index = UInt32(index)
            fs.pixel_format = pixelFormat
            guard ioctl(shim_VIDIOC_ENUM_FRAMESIZES(), &fs) == 0 else { break }
            if fs.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                let w = Int(fs.discrete.width), h = Int(fs.discrete.height)
                out.append(CameraSize(width: w, height: h, frameRates: rates(pixelFormat, w, h)))
            } else {
                let s = fs.stepwise
                for (w, h) in V4L2Device.stepwiseCandidates
                where w >= s.min_width && w <= s.max_width && h >= s.min_height && h <= s.max_height {
                    out.append(CameraSize(width: w, height: h, frameRates: rates(pixelFormat, w, h)))
                }
                break
            }
        }
        return out
    }

    private func rates(_ pixelFormat: UInt32, _ w: Int, _ h: Int) -> [Double] {
        var out: [Double] = []
        for index in 0..<64 {
            var fi = v4l2_frmivalenum()
            fi.index = UInt32(index)
            fi.pixel_format = pixelFormat
            fi.width = UInt32(w); fi.height = UInt32(h)
            guard ioctl(shim_VIDIOC_ENUM_FRAMEINTERVALS(), &fi) == 0 else { break }
            if fi.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue {
                if fi.discrete.numerator > 0 { out.append(Double(fi.discrete.denominator) / Double(fi.discrete.numerator)) }
            } else {
                // Continuous/stepwise: offer the common rates inside the range.
                let fastest = Double(fi.stepwise.min.denominator) / Double(max(1, fi.stepwise.min.numerator))
                let slowest = Double(fi.stepwise.max.denominator) / Double(max(1, fi.stepwise.max.numerator))
                out += [5.0, 10, 15, 20, 24, 25, 30, 60].filter { $0 >= slowest && $0 <= fastest }
                break
            }
        }
        return out
    }
}
