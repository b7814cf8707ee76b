import Capture
import Foundation
import Media
import Synchronization

/// The local camera as the client uses it: the source chosen with `--camera`, opened only while someone
/// needs it (a call sending video, or the preview the user asked for) and closed otherwise, so a webcam's
/// light is off while the user only chats. Frames fan out to any number of latest-frame mailboxes (the
/// preview, the call). A device that cannot be opened is replaced by the test pattern, with a message.
final class LocalCamera: Sendable {
    /// Frames the capture queue holds: the pump takes them at once, so 2 is plenty.
    static let queueCapacity = 2

    /// Who keeps the camera open.
    enum Holder: Hashable, Sendable { case preview, call }

    private let spec: String
    private let width: Int, height: Int
    private let fps: Double
    private let mailboxes = Mutex<[LatestFrameMailbox]>([])
    private let observers = Mutex<[@Sendable () -> Void]>([])
    private struct State {
        var holders: Set<Holder> = []
        /// `v`: off means closed whoever holds it.
        var enabled = true
        var running: Running?
        var sourceName: String
        var fallbackMessage: String?
        var failure: String?
        /// Times the device was opened (tests, logs).
        var opens = 0
    }
    /// One open period: the source, its queue and the pump thread draining it.
    private final class Running: Sendable {
        let source: any VideoSource
        let queue = BoundedQueue<VideoFrame>(capacity: LocalCamera.queueCapacity)
        let stopped = Atomic<Bool>(false)
        let pump = Mutex<MediaThread?>(nil)
        init(source: any VideoSource) { self.source = source }
    }
    private let state: Mutex<State>

    /// nil for `--camera none`. Nothing is opened yet: `acquire` opens it.
    static func make(spec: String, width: Int = CaptureOptions.defaultWidth, height: Int = CaptureOptions.defaultHeight,
                     fps: Double = CaptureOptions.defaultFps) -> LocalCamera? {
        spec == CaptureOptions.none ? nil : LocalCamera(spec: spec, width: width, height: height, fps: fps)
    }

    private init(spec: String, width: Int, height: Int, fps: Double) {
        self.spec = spec
        self.width = width; self.height = height; self.fps = fps
        let name = spec == CaptureOptions.test ? "test pattern" : spec
        state = Mutex(State(sourceName: name))
    }

    /// What is being shown, for the status line ("test pattern 640x480 at 30 fps").
    var sourceName: String { state.withLock { $0.sourceName } }
    /// Why the chosen camera was replaced by the test pattern, if it was (set when it was first opened).
    var fallbackMessage: String? { state.withLock { $0.fallbackMessage } }
    /// Why capture stopped early (device unplugged, end of file), if it did.
    var failureMessage: String? { state.withLock { $0.failure } }
    /// Whether the device is open right now.
    var isOpen: Bool { state.withLock { $0.running != nil } }
    var timesOpened: Int { state.withLock { $0.opens } }

    /// A new mailbox receiving every frame from now on (across openings); `onPost` runs on the pump thread.
    func subscribe(onPost: @escaping @Sendable () -> Void) -> LatestFrameMailbox {
        let box = LatestFrameMailbox(onPost: onPost)
        mailboxes.withLock { $0.append(box) }
        return box
    }

    /// `changed` runs (on any thread) after the device opened or closed: the status line shows it.
    func observe(_ changed: @escaping @Sendable () -> Void) { observers.withLock { $0.append(changed) } }

    func acquire(_ holder: Holder) { update { $0.holders.insert(holder) } }
    func release(_ holder: Holder) { update { $0.holders.remove(holder) } }
    /// `v`: a disabled camera is closed even while held, and opens again when enabled.
    func setEnabled(_ on: Bool) { update { $0.enabled = on } }

    /// Closes the device for good (quitting).
    func stop() { update { $0.holders.removeAll() } }

    /// Applies `change`, then opens or closes the device to match.
    private func update(_ change: (inout State) -> Void) {
        let (toStart, toStop) = state.withLock { s -> (Bool, Running?) in
            change(&s)
            let wanted = s.enabled && !s.holders.isEmpty
            if wanted, s.running == nil { return (true, nil) }
            if !wanted, let r = s.running {
                s.running = nil
                return (false, r)
            }
            return (false, nil)
        }
        if let toStop { Self.close(toStop) }
        if toStart { open() }
        if toStop != nil || toStart { for changed in observers.withLock({ $0 }) { changed() } }
    }

    private func open() {
        var note: String?
        var running: Running
        do {
            guard let source = try CaptureOptions.videoSource(spec: spec, width: width, height: height, fps: fps) else { return }
            running = Running(source: source)
            try source.start(into: running.queue)
        } catch {
            note = "Camera \(spec) cannot be used (\(error)); showing the test pattern (--camera test)."
            running = Running(source: TestPatternSource(width: width, height: height, fps: fps))
            try? running.source.start(into: running.queue)
        }
        let keep = state.withLock { s -> Bool in
            // Released again while opening: close it at once.
            guard s.enabled, !s.holders.isEmpty, s.running == nil else { return false }
            s.running = running
            s.opens += 1
            s.sourceName = running.source.name
            if let note { s.fallbackMessage = note }
            return true
        }
        guard keep else {
            Self.close(running)
            return
        }
        let opened = running
        let thread = MediaThread(name: "tuicall-camera-pump") { [self] _ in pump(opened) }
        opened.pump.withLock { $0 = thread }
        if opened.stopped.load(ordering: .acquiring) { thread.stopAndJoin() }  // closed while starting
    }

    private static func close(_ r: Running) {
        r.stopped.store(true, ordering: .releasing)
        r.source.stop()
        r.queue.close()
        r.pump.withLock { $0 }?.stopAndJoin()
    }

    private func pump(_ r: Running) {
        while !r.stopped.load(ordering: .acquiring) {
            guard let frame = r.queue.pop(timeoutNs: 100_000_000) else {
                if let f = r.source.failure, !r.stopped.load(ordering: .acquiring) {
                    state.withLock { $0.failure = "Camera \(r.source.name) stopped: \(f)" }
                    for box in mailboxes.withLock({ $0 }) { box.wakeOnly() }
                    return
                }
                continue
            }
            for box in mailboxes.withLock({ $0 }) { box.post(frame) }
        }
    }
}
