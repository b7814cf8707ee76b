#if canImport(Glibc)
import Glibc
#endif
import CV4L2
import CShims
import Media

/// `--camera /dev/videoN`: streams from a V4L2 camera through libv4l2 with mmap buffers,
/// asking for the mode closest to the request and letting libv4l2 convert it to I420.
public final class V4L2CameraSource: VideoSource, @unchecked Sendable {
    public let path: String
    /// The mode the camera was set to (native format, size, rate).
    public let mode: CameraMode
    private let device: V4L2Device
    private let stream: V4L2Stream
    private var thread: MediaThread?

    /// Buffers queued to the driver: enough to absorb jitter, few enough for low latency.
    public static let bufferCount = 4
    static let yu12 = fourcc("YU12")
    static let timestampMonotonicFlag: UInt32 = 0x2000   // V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC

    /// Opens the camera and configures it now, so errors surface before a call starts.
    public init(path: String, width: Int, height: Int, fps: Double) throws {
        self.path = path
        device = try V4L2Device(path: path)
        let formats = device.formats()
        guard let mode = CameraModeChooser.choose(from: formats, width: width, height: height, fps: fps) else {
            let offered = formats.isEmpty ? "none" : formats.map(\.fourcc).joined(separator: ", ")
            throw CaptureError("\(path) (\(device.card)) offers no usable video format (formats: \(offered)); "
                               + "try another camera or --camera test")
        }
        self.mode = mode
        var fmt = v4l2_format()
        fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        fmt.fmt.pix.width = UInt32(mode.width)
        fmt.fmt.pix.height = UInt32(mode.height)
        fmt.fmt.pix.pixelformat = V4L2CameraSource.yu12
        fmt.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        let setErr = device.ioctl(shim_VIDIOC_S_FMT(), &fmt)
        if setErr == EBUSY { throw V4L2Device.error(path: path, errno: EBUSY) }
        guard setErr == 0, fmt.fmt.pix.pixelformat == V4L2CameraSource.yu12 else {
            throw CaptureError("\(path) (\(device.card)): no usable format: libv4l2 cannot deliver I420 from "
                               + "\(mode.fourcc) \(mode.width)x\(mode.height); try another size or --camera test")
        }
        let frameWidth = Int(fmt.fmt.pix.width), frameHeight = Int(fmt.fmt.pix.height)
        let bytesPerLine = max(Int(fmt.fmt.pix.bytesperline), frameWidth)

        var parm = v4l2_streamparm()
        parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        parm.parm.capture.timeperframe = v4l2_fract(numerator: 1000, denominator: UInt32(mode.fps * 1000))
        device.ioctl(shim_VIDIOC_S_PARM(), &parm)   // best effort: some drivers have a fixed rate

        var req = v4l2_requestbuffers()
        req.count = UInt32(V4L2CameraSource.bufferCount)
        req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        req.memory = V4L2_MEMORY_MMAP.rawValue
        let reqErr = device.ioctl(shim_VIDIOC_REQBUFS(), &req)
        guard reqErr == 0, req.count > 0 else { throw V4L2Device.error(path: path, errno: reqErr == 0 ? ENOMEM : reqErr) }
        var buffers: [(pointer: UnsafeMutableRawPointer, length: Int)] = []
        // Unmaps what was mapped if a later buffer fails.
        var mapped = false
        defer { if !mapped { for b in buffers { v4l2_munmap(b.pointer, b.length) } } }
        for index in 0..<Int(req.count) {
            var buf = v4l2_buffer()
            buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            buf.memory = V4L2_MEMORY_MMAP.rawValue
            buf.index = UInt32(index)
            let qErr = device.ioctl(shim_VIDIOC_QUERYBUF(), &buf)
            guard qErr == 0 else { throw V4L2Device.error(path: path, errno: qErr) }
            let p = v4l2_mmap(nil, Int(buf.length), PROT_READ | PROT_WRITE, MAP_SHARED, device.fd, Int64(buf.m.offset))
            guard let p, p != MAP_FAILED else { throw V4L2Device.error(path: path, errno: errno) }
            buffers.append((p, Int(buf.length)))
        }
        stream = V4L2Stream(device: device, buffers: buffers, width: frameWidth, height: frameHeight,
                            bytesPerLine: bytesPerLine)
        mapped = true
    }

    deinit { stop() }

    public var name: String { "\(path) (\(device.card))" }
    public var failure: CaptureError? { stream.error.value }

    public func start(into queue: BoundedQueue<VideoFrame>) throws {
        stop()
        for index in stream.buffers.indices {
            var buf = v4l2_buffer()
            buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            buf.memory = V4L2_MEMORY_MMAP.rawValue
            buf.index = UInt32(index)
            let e = device.ioctl(shim_VIDIOC_QBUF(), &buf)
            guard e == 0 else { throw V4L2Device.error(path: path, errno: e) }
        }
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        let e = device.ioctl(shim_VIDIOC_STREAMON(), &type)
        guard e == 0 else { throw V4L2Device.error(path: path, errno: e) }
        let stream = self.stream
        thread = MediaThread(name: "v4l2camera") { t in stream.captureLoop(t, queue) }
    }

    public func stop() {
        guard let t = thread else { return }
        t.stopAndJoin()
        thread = nil
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        device.ioctl(shim_VIDIOC_STREAMOFF(), &type)
    }
}

/// The mmap buffers of a streaming camera and the loop that dequeues them; owned by the capture
/// thread and the source together, so neither outlives the mappings.
private final class V4L2Stream: @unchecked Sendable {
    let device: V4L2Device
    let buffers: [(pointer: UnsafeMutableRawPointer, length: Int)]
    let width: Int, height: Int, bytesPerLine: Int
    let error = MutexBox<CaptureError?>(nil)

    init(device: V4L2Device, buffers: [(pointer: UnsafeMutableRawPointer, length: Int)],
         width: Int, height: Int, bytesPerLine: Int) {
        self.device = device; self.buffers = buffers
        self.width = width; self.height = height; self.bytesPerLine = bytesPerLine
    }

    deinit { for b in buffers { v4l2_munmap(b.pointer, b.length) } }

    func captureLoop(_ t: MediaThread, _ queue: BoundedQueue<VideoFrame>) {
        while !t.isStopping {
            var pfd = pollfd(fd: device.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready == 0 || (ready < 0 && errno == EINTR) { continue }
            var buf = v4l2_buffer()
            buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            buf.memory = V4L2_MEMORY_MMAP.rawValue
            let e = device.ioctl(shim_VIDIOC_DQBUF(), &buf)
            if e == EAGAIN { continue }
            if e != 0 {
                error.value = CaptureError("\(device.path) stopped delivering video: \(String(cString: strerror(e))); "
                                           + "was the camera unplugged?")
                return
            }
            let now = MonotonicClock.now()
            if let frame = makeFrame(buffers[Int(buf.index)].pointer, used: Int(buf.bytesused),
                                     timestampNs: captureTime(buf, now: now)) {
                queue.push(frame)
            }
            device.ioctl(shim_VIDIOC_QBUF(), &buf)
        }
    }

    /// The driver's monotonic timestamp when it has one, else the dequeue time.
    func captureTime(_ buf: v4l2_buffer, now: UInt64) -> UInt64 {
        guard buf.flags & V4L2CameraSource.timestampMonotonicFlag != 0 else { return now }
        let ns = UInt64(max(0, buf.timestamp.tv_sec)) * 1_000_000_000 + UInt64(max(0, buf.timestamp.tv_usec)) * 1000
        return ns > 0 && ns <= now && now - ns < 1_000_000_000 ? ns : now
    }

    /// Copies an I420 buffer (bytesperline-padded rows) out of the mmap area.
    func makeFrame(_ p: UnsafeMutableRawPointer, used: Int, timestampNs: UInt64) -> VideoFrame? {
        let strideY = bytesPerLine, strideC = bytesPerLine / 2
        let ch = (height + 1) / 2
        let ySize = strideY * height, cSize = strideC * ch
        guard used >= ySize + 2 * cSize, strideC >= (width + 1) / 2 else { return nil }
        let bytes = UnsafeRawBufferPointer(start: p, count: ySize + 2 * cSize)
        return VideoFrame(width: width, height: height,
                          y: Array(bytes[0..<ySize]), u: Array(bytes[ySize..<(ySize + cSize)]),
                          v: Array(bytes[(ySize + cSize)...]),
                          strideY: strideY, strideU: strideC, strideV: strideC, timestampNs: timestampNs)
    }

}
