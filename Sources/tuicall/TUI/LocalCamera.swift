import Capture
import Foundation
import Media
import Synchronization

/// The local camera as the client uses it: the source chosen with `--camera` (falling back to the
/// test pattern, with a message, when the device or file cannot be opened), started once and
/// fanned out to any number of latest-frame mailboxes (the preview, later the call engine).
final class LocalCamera: Sendable {
    /// Frames the capture queue holds: the pump takes them at once, so 2 is plenty.
    static let queueCapacity = 2

    /// What is being shown, for the status line ("test pattern 640x480 at 30 fps").
    let sourceName: String
    /// Why the chosen camera was replaced by the test pattern, if it was.
    let fallbackMessage: String?
    private let source: any VideoSource
    private let queue = BoundedQueue<VideoFrame>(capacity: LocalCamera.queueCapacity)
    private let mailboxes = Mutex<[LatestFrameMailbox]>([])
    private let stopped = Atomic<Bool>(false)
    private let failure = Mutex<String?>(nil)
    private let pumpDone = DispatchSemaphore(value: 0)

    /// Opens `spec` (see `CaptureOptions.videoSource`); nil for `none`. Never fails: a camera
    /// that cannot be opened or started is replaced by the test pattern.
    static func open(spec: String, width: Int = CaptureOptions.defaultWidth, height: Int = CaptureOptions.defaultHeight,
                     fps: Double = CaptureOptions.defaultFps) -> LocalCamera? {
        var note: String?
        do {
            guard let source = try CaptureOptions.videoSource(spec: spec, width: width, height: height, fps: fps) else {
                return nil
            }
            let camera = LocalCamera(source: source, fallbackMessage: nil)
            try camera.start()
            return camera
        } catch {
            note = "Camera \(spec) cannot be used (\(error)); showing the test pattern (--camera test)."
        }
        let pattern = TestPatternSource(width: width, height: height, fps: fps)
        let camera = LocalCamera(source: pattern, fallbackMessage: note)
        try? camera.start()
        return camera
    }

    private init(source: any VideoSource, fallbackMessage: String?) {
        self.source = source
        self.sourceName = source.name
        self.fallbackMessage = fallbackMessage
    }

    private func start() throws {
        try source.start(into: queue)
        let thread = Thread { [self] in pump() }
        thread.name = "tuicall-camera-pump"
        thread.start()
    }

    /// A new mailbox receiving every frame from now on; `onPost` runs on the pump thread.
    func subscribe(onPost: @escaping @Sendable () -> Void) -> LatestFrameMailbox {
        let box = LatestFrameMailbox(onPost: onPost)
        mailboxes.withLock { $0.append(box) }
        return box
    }

    /// Why capture stopped early (device unplugged, end of file), if it did.
    var failureMessage: String? { failure.withLock { $0 } }

    /// Stops capture and the pump (idempotent).
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        source.stop()
        queue.close()
        _ = pumpDone.wait(timeout: .now() + 1)
    }

    private func pump() {
        defer { pumpDone.signal() }
        while !stopped.load(ordering: .acquiring) {
            guard let frame = queue.pop(timeoutNs: 100_000_000) else {
                if let f = source.failure {
                    failure.withLock { $0 = "Camera \(sourceName) stopped: \(f)" }
                    for box in mailboxes.withLock({ $0 }) { box.wakeOnly() }
                    return
                }
                continue
            }
            for box in mailboxes.withLock({ $0 }) { box.post(frame) }
        }
    }
}
