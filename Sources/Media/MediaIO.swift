/// The device boundary: what captures media and what consumes it. Capture implements these for
/// cameras, microphones, speakers and files; the engine only sees the protocols.

/// Something that captures video: runs its own thread at real-time pace and pushes frames into
/// a bounded queue (which drops the oldest frame when the consumer is slow, and counts it).
public protocol VideoSource: AnyObject, Sendable {
    /// What the user chose, for messages ("test pattern 640x480 at 30 fps", "/dev/video0").
    var name: String { get }
    /// Starts delivering into `queue`; throws when the device cannot start.
    func start(into queue: BoundedQueue<VideoFrame>) throws
    /// Stops delivering and waits for the thread; safe to call twice.
    func stop()
    /// Why delivery ended early (device unplugged, read error), if it did.
    var failure: CaptureError? { get }
}

/// Something that captures audio: 20 ms, 48 kHz frames at real-time pace into a bounded queue.
public protocol AudioSource: AnyObject, Sendable {
    var name: String { get }
    /// Channels of the frames it delivers (1 or 2).
    var channels: Int { get }
    func start(into queue: BoundedQueue<AudioFrame>) throws
    func stop()
    var failure: CaptureError? { get }
}

/// Something that consumes received video without ever blocking the caller.
public protocol VideoSink: AnyObject, Sendable {
    var name: String { get }
    /// Hands over a frame; returns at once (a slow sink drops its oldest pending frame).
    func accept(_ frame: VideoFrame)
    /// Writes what is pending and releases the device or file.
    func close()
}

/// Something that plays or records received audio without ever blocking the caller.
public protocol AudioSink: AnyObject, Sendable {
    var name: String { get }
    func accept(_ frame: AudioFrame)
    func close()
    var failure: CaptureError? { get }
}

/// A capture failure with the device or file it concerns and the remedy.
public struct CaptureError: Error, CustomStringConvertible, Equatable, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
