import Media
import Synchronization

/// `--camera test`: the test pattern at any size and rate, stamped with a frame counter and the
/// capture time.
public final class TestPatternSource: VideoSource, @unchecked Sendable {
    public let width: Int, height: Int, fps: Double
    private let loop = PacedLoop()
    private let produced = MutexBox<UInt32>(0)

    public init(width: Int, height: Int, fps: Double) {
        self.width = width; self.height = height; self.fps = fps
    }

    public var name: String { "test pattern \(width)x\(height) at \(fps) fps" }
    public var failure: CaptureError? { nil }
    /// Frames delivered so far (the next frame's counter).
    public var framesProduced: UInt32 { produced.value }

    public func start(into queue: BoundedQueue<VideoFrame>) throws {
        let (w, h) = (width, height)
        let produced = self.produced
        loop.start(name: "testpattern", periodNs: 1e9 / fps) { now in
            let n = produced.value
            queue.push(TestPattern.frame(width: w, height: h, counter: n, timestampNs: now))
            produced.value = n &+ 1
            return true
        }
    }

    public func stop() { loop.stop() }
}

/// `--camera clip.y4m`: plays a Y4M file at its own frame rate, looping, stamping each frame
/// with the time it is delivered.
public final class Y4MFileSource: VideoSource, @unchecked Sendable {
    public let path: String
    public let header: Y4MHeader
    private let reader: Y4MReader
    private let loop = PacedLoop()
    private let error = MutexBox<CaptureError?>(nil)

    public init(path: String) throws {
        self.path = path
        do { reader = try Y4MReader(path: path) } catch { throw CaptureError("\(error)") }
        header = reader.header
        do {
            guard try reader.readFrame() != nil else {
                throw CaptureError("\(path) holds no frames; record one with `tuicall` or ffmpeg")
            }
        } catch let e as CaptureError { throw e } catch { throw CaptureError("\(error)") }
        reader.rewind()
    }

    public var name: String { path }
    public var failure: CaptureError? { error.withLock { $0 } }

    public func start(into queue: BoundedQueue<VideoFrame>) throws {
        let reader = self.reader, error = self.error
        loop.start(name: "y4msource", periodNs: 1e9 / header.framesPerSecond) { now in
            do {
                if let f = try reader.readFrame(timestampNs: now) { queue.push(f); return true }
                reader.rewind()
                if let f = try reader.readFrame(timestampNs: now) { queue.push(f); return true }
                return false
            } catch let e {
                error.withLock { $0 = CaptureError("\(e)") }
                return false
            }
        }
    }

    public func stop() { loop.stop() }
}

/// Records received video to a Y4M file; the first frame fixes the file's size.
public final class Y4MFileSink: VideoSink, @unchecked Sendable {
    public let path: String
    public let fps: Int
    private var worker: SinkWorker<VideoFrame>!
    private let state = MutexBox<(writer: Y4MWriter?, error: CaptureError?)>((nil, nil))
    /// Frames that may wait for the disk before the oldest is dropped.
    public static let defaultCapacity = 30

    public init(path: String, fps: Int = 30, capacity: Int = Y4MFileSink.defaultCapacity) throws {
        self.path = path
        self.fps = fps
        // Fail now on an unwritable path rather than at the first frame.
        do { _ = try BinaryFile(path: path, mode: "wb") } catch { throw CaptureError("\(error)") }
        let state = self.state
        worker = SinkWorker(name: "y4msink", capacity: capacity, consume: { frame in
            state.withLock { s in
                guard s.error == nil else { return }
                do {
                    if s.writer == nil {
                        s.writer = try Y4MWriter(path: path, header: Y4MHeader(width: frame.width, height: frame.height,
                                                                               frameRateNumerator: fps))
                    }
                    try s.writer!.write(frame)
                } catch { s.error = CaptureError("\(error)") }
            }
        }, finish: { state.withLock { $0.writer?.close() } })
    }

    public var name: String { path }
    public var failure: CaptureError? { state.withLock { $0.error } }
    public var droppedCount: Int { worker.droppedCount }
    public func accept(_ frame: VideoFrame) { worker.accept(frame) }
    public func close() { worker.close() }
}
