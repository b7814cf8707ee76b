import CNcursesw
import CShims
import CallEngine
import Foundation
import Media
import Render
import Signaling
import SignalingClient
import Synchronization

/// News for the UI thread from other threads.
enum UIEvent: Sendable {
    case signaling(SignalingEvent)
    /// A call event other than video frames (those go through the remote mailbox).
    case call(CallEvent)
    /// What the status line says about the server ("embedded").
    case serverNote(String?)
}

/// How the UI loop ended.
enum UIExit: Equatable {
    case quit
    /// A terminating signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT).
    case signal(Int32)
}

/// The terminal UI. One thread (the one calling `run`) owns ncurses, the model and the video
/// pane; it sleeps in poll(2) on stdin and a wake pipe. Other threads only `post` events (the
/// signaling and call-event tasks) or fill latest-frame mailboxes (camera pump, call engine), and
/// both wake the pipe, so keys are handled as soon as they arrive even while video plays.
final class TerminalUI: @unchecked Sendable {
    /// Longest poll sleep when nothing is scheduled (status expiry and countdowns need less).
    static let idlePollMs: Int32 = 1000
    /// Countdown refresh while waiting to reconnect.
    static let countdownPollMs: Int32 = 250
    /// Largest rate at which video is drawn; frames arriving faster replace each other.
    static let maxVideoFps = 60.0

    struct Options {
        var settings: ClientSettings
        /// What the status line calls the server.
        var serverLabel: String
        var serverNote: String?
        var utf8: Bool
        var colorTerm: String?
        var startupMessages: [String]
        /// Ring the terminal bell on incoming calls (`--no-bell` turns it off; the title still changes).
        var bell = true
        /// Conversations written to files (nil: `--no-log`).
        var chatLogFiles: ChatLogFiles?
        /// The embedded server this client may host (nil with --server).
        var embedded: EmbeddedServerHost?
    }

    // Shared with other threads (thread-safe types only).
    let wake: WakePipe
    private let inbox = Mutex<[UIEvent]>([])
    let remoteFrames: LatestFrameMailbox

    // Owned by the UI thread.
    let options: Options
    /// Events the last turn of the loop had no time for (see `handlePostedEvents`).
    private var eventsLeft = false
    let signaling: SignalingClient
    let callControl: any CallControl
    let camera: LocalCamera?
    private var localFrames: LatestFrameMailbox?
    var model: UIModel
    var screen: CursesScreen!
    private var worker: VideoRenderWorker!
    /// How video is drawn (changed by `c`).
    var renderOptions = RenderOptions()
    /// Bumped when the pane size or render options change or ncurses repaints: older outputs are dropped
    /// and the worker's next draw is complete.
    private var videoGeneration = 0
    /// Cells and bytes of the last video draw written, for the stats overlay.
    private(set) var lastVideoDraw = (cells: 0, bytes: 0)
    var layout = Layout(cols: Layout.minCols, rows: Layout.minRows)
    var capabilities = TerminalCapabilities(utf8: true, colorTermTrueColor: false, terminfoRGB: false, colors: 0)
    private var localFrame: VideoFrame?
    var remoteFrame: VideoFrame?
    private var chromeDirty = true
    var videoDirty = true
    /// Inside a bracketed paste, and how many line breaks it held so far.
    var pasting = false
    var pastedLines = 0
    /// The last whole second shown for ringing or call time (the status line changes once a second).
    private var lastCallSecond = -1
    var announcedWebClient = false
    /// `/quit` typed: the loop ends after this round of keys.
    var quitRequested = false
    private var fullRepaint = true
    private var lastVideoDrawNs: UInt64 = 0
    private var lastCountdownSecond = -1
    var userListOffset = 0
    // Local preview rate, measured over one-second windows.
    private var localFpsWindowStart: UInt64 = 0
    private var localFpsCount = 0
    var localFps = 0.0
    private var cameraFailureShown = false
    private var cameraFallbackShown = false
    /// Whether the status line last showed the camera open ("camera on" / "camera closed").
    private var cameraWasOpen = false

    init(options: Options, signaling: SignalingClient, callControl: any CallControl, remoteFrames: LatestFrameMailbox,
         camera: LocalCamera?) throws {
        self.options = options
        self.signaling = signaling
        self.callControl = callControl
        self.camera = camera
        let wake = try WakePipe()
        self.wake = wake
        self.remoteFrames = remoteFrames
        remoteFrames.setOnPost { wake.wake() }
        model = UIModel(server: options.serverLabel, serverNote: options.serverNote, myName: options.settings.name)
        localFrames = camera?.subscribe(onPost: { wake.wake() })
        camera?.observe { wake.wake() }
    }

    /// Hands an event to the UI thread (any thread).
    func post(_ event: UIEvent) {
        inbox.withLock { $0.append(event) }
        wake.wake()
    }

    /// What a crash writes before dying (xterm sequences most terminals share): attributes reset, mouse
    /// reporting off, cursor on, keypad mode off, main screen.
    static let crashRestoreSequence =
        "\u{1B}[0m\u{1B}[?1000l\u{1B}[?1002l\u{1B}[?1003l\u{1B}[?1006l\u{1B}[?2004l\u{1B}[?25h\u{1B}[?1l\u{1B}>"
        + "\u{1B}[?1049l\u{1B}[23;0t\r\n"

    /// Runs the UI until `q` or a terminating signal; the terminal is restored on every way out.
    func run() throws -> UIExit {
        // Armed before ncurses changes the tty modes, so a crash puts back the shell's own.
        shim_terminal_guard_install(Self.crashRestoreSequence)
        defer { shim_terminal_guard_remove() }
        screen = try CursesScreen(utf8: options.utf8)
        defer {
            screen.end()
            SignalTrap.uninstall()
        }
        SignalTrap.install(wake)
        capabilities = TerminalCapabilities(
            utf8: options.utf8, colorTermTrueColor: TerminalCapabilities.colorTermSaysTrueColor(options.colorTerm),
            terminfoRGB: screen.terminfoRGB, colors: screen.colors)
        renderOptions = capabilities.renderOptions(render: options.settings.render, color: options.settings.color)
        let wake = self.wake
        worker = VideoRenderWorker(asciiOnly: !options.utf8, onResult: { wake.wake() })
        defer { worker.stop() }
        for m in options.startupMessages { note(m, warning: true) }
        if let m = options.startupMessages.last { model.say(m, warning: true) }
        setTitle()
        relayout()
        defer { camera?.stop() }
        return try loop()
    }

    private func loop() throws -> UIExit {
        var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0)]
        while true {
            _ = poll(&fds, 2, pollTimeoutMs())
            // Another thread crashed and the terminal is the shell's again: draw nothing more.
            while shim_terminal_guard_tripped() != 0 { pause() }
            // The terminal went away without a SIGHUP: nothing more to show or read.
            if fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                endCallForExit()
                return .signal(SIGHUP)
            }
            for sig in wake.drain() {
                if SignalTrap.terminating.contains(sig) {
                    endCallForExit()
                    return .signal(sig)
                }
                if sig == SIGWINCH { resizeFromTerminal() }
                if sig == SIGTSTP { suspend() }
                if sig == SIGCONT { fullRepaint = true; chromeDirty = true }
            }
            while let key = screen.nextKey() {
                if handleKey(key) == .quit || quitRequested {
                    endCallForExit()
                    return .quit
                }
            }
            handlePostedEvents()
            takeFrames()
            tick()
            if chromeDirty { drawChrome() }
            if videoDirty, layout.tooSmall == false {
                let now = MonotonicClock.now()
                if Double(now - lastVideoDrawNs) >= 1e9 / TerminalUI.maxVideoFps {
                    lastVideoDrawNs = now
                    videoDirty = false
                    submitVideoJob()
                }
            } else if layout.tooSmall {
                videoDirty = false
            }
            // After ncurses' update: video escapes go out last, over ncurses' markers.
            if let output = worker.takeOutput(), output.generation == videoGeneration, !layout.tooSmall {
                output.write()
                lastVideoDraw = (output.changedCells, output.bytes.count)
            }
        }
    }

    /// Ctrl-Z: stops like any terminal program (the shell's `fg` brings it back, repainted), except during
    /// a call or while ringing, where a stopped process would freeze the call for the other side.
    private func suspend() {
        if model.call != .idle {
            model.say("Hang up (h) before suspending with Ctrl-Z: a stopped tuicall would freeze the call.", warning: true)
            chromeDirty = true
            return
        }
        screen.suspend()
        raise(SIGSTOP)  // cannot be caught: the shell sees the job stop here, and we go on after `fg`
        screen.resume()
        resizeFromTerminal()     // the terminal may have changed size while we were stopped
        relayout()
    }

    /// Posted events for at most `eventBudgetNs`, then a draw: under a flood a keystroke waits for one
    /// slice of events, not for the whole backlog (which took 100+ ms of 60 KB chat lines). The rest stay
    /// first in the inbox for the next turn of the loop, which then does not sleep.
    private func handlePostedEvents() {
        let events = inbox.withLock { e -> [UIEvent] in defer { e.removeAll() }; return e }
        let deadline = MonotonicClock.now() + Self.eventBudgetNs
        var handled = 0
        for event in events {
            handle(event)
            handled += 1
            if MonotonicClock.now() >= deadline { break }
        }
        eventsLeft = handled < events.count
        if eventsLeft { inbox.withLock { $0.insert(contentsOf: events[handled...], at: 0) } }
    }

    /// Time for posted events per turn of the loop. 8 ms.
    static let eventBudgetNs: UInt64 = 8_000_000

    /// Sleeps until the next scheduled change: message expiry, countdown tick, pending video.
    private func pollTimeoutMs() -> Int32 {
        if eventsLeft { return 0 }
        if videoDirty { return 5 }
        var ms = TerminalUI.idlePollMs
        if model.call != .idle { ms = min(ms, TerminalUI.countdownPollMs) }
        if case .retrying = model.connection { ms = min(ms, TerminalUI.countdownPollMs) }
        if let m = model.message {
            let now = MonotonicClock.now()
            ms = min(ms, m.untilNs > now ? Int32(min(UInt64(ms), (m.untilNs - now) / 1_000_000 + 1)) : 0)
        }
        return ms
    }

    /// Time-based changes: message expiry, reconnect countdown, local rate window, camera failure.
    private func tick() {
        let now = MonotonicClock.now()
        if let m = model.message, m.untilNs <= now { model.message = nil; chromeDirty = true }
        if case .retrying(let until, _) = model.connection {
            let s = until > now ? Int((until - now + 999_999_999) / 1_000_000_000) : 0
            if s != lastCountdownSecond { lastCountdownSecond = s; chromeDirty = true }
        }
        if model.call != .idle {
            let s = Int((now - model.callPhaseSinceNs) / 1_000_000_000)
            if s != lastCallSecond {
                lastCallSecond = s
                chromeDirty = true
                if case .calling = model.call { videoDirty = true }
            }
        }
        if now - localFpsWindowStart >= 1_000_000_000 {
            localFps = Double(localFpsCount) * 1e9 / Double(max(1, now - localFpsWindowStart))
            localFpsCount = 0
            localFpsWindowStart = now
            if model.showStats { videoDirty = true }
        }
        if let open = camera?.isOpen, open != cameraWasOpen { cameraWasOpen = open; chromeDirty = true }
        if !cameraFallbackShown, let fallback = camera?.fallbackMessage {
            cameraFallbackShown = true
            note(fallback, warning: true)
            model.say(fallback, warning: true)
            chromeDirty = true
        }
        if !cameraFailureShown, let failure = camera?.failureMessage {
            cameraFailureShown = true
            note(failure + " Restart with --camera test to use the test pattern.", warning: true)
            model.say(failure, warning: true)
            chromeDirty = true
        }
    }

    private func takeFrames() {
        if let f = localFrames?.take() {
            localFrame = f
            localFpsCount += 1
            videoDirty = true
        }
        if let f = remoteFrames.take() {
            remoteFrame = f
            videoDirty = true
        }
    }

    // MARK: - layout and drawing

    /// Re-lays out for the current ncurses size and repaints everything.
    func relayout() {
        layout = Layout(cols: screen.cols, rows: screen.rows)
        videoGeneration += 1
        fullRepaint = true
        chromeDirty = true
        videoDirty = true
    }

    /// SIGWINCH: asks the terminal its size, tells ncurses, re-lays out at once.
    private func resizeFromTerminal() {
        var rows: UInt16 = 0, cols: UInt16 = 0
        guard shim_terminal_size(STDOUT_FILENO, &rows, &cols) == 0, rows > 0, cols > 0 else { return }
        screen.resize(rows: Int(rows), cols: Int(cols))
        relayout()
    }

    private func drawChrome() {
        chromeDirty = false
        drawScreen()
        screen.flush(full: fullRepaint)
        if fullRepaint {
            fullRepaint = false
            // ncurses just painted its markers over the video cells: draw the picture again in full.
            videoGeneration += 1
            videoDirty = true
            lastVideoDrawNs = 0
        }
    }

    /// Hands the current picture to the render worker (its result is presented when it wakes us).
    private func submitVideoJob() {
        let (content, pip) = videoContent()
        worker.submit(VideoJob(content: content, pip: pip, pipRect: layout.pictureInPicture,
                               overlay: model.showStats ? statsLines() : [], cols: layout.video.w, rows: layout.video.h,
                               originX: layout.video.x, originY: layout.video.y,
                               options: renderOptions, generation: videoGeneration))
    }

    /// The large picture and the picture-in-picture for the current state.
    private func videoContent() -> (VideoContent, VideoFrame?) {
        if model.showHelp { return (.placeholder(HelpScreen.lines), nil) }
        let local = model.showPip && !model.cameraOff ? localFrame : nil
        switch model.call {
        case .inCall(let peer):
            if model.peerCameraOff {
                return (.placeholder(["\(peer)'s camera is off"] + (model.peerMicMuted ? ["\(peer) is muted"] : [])), local)
            }
            if let remote = remoteFrame { return (.frame(remote), local) }
            return (.placeholder(["In call with \(peer)", "waiting for video..."]), local)
        case .ringing(let from):
            return (.placeholder(["\(from) is calling you", "Enter: accept   Esc: decline"]), nil)
        case .calling(let peer):
            let s = Int((MonotonicClock.now() - model.callPhaseSinceNs) / 1_000_000_000)
            return (.placeholder(["Calling \(peer)...", "ringing \(s) s", "h: cancel"]), nil)
        case .idle:
            if camera == nil { return (.placeholder(["No camera (--camera none)"]), nil) }
            if model.cameraOff { return (.placeholder(["Camera off", "v: turn it on"]), nil) }
            if !model.showPreview { return (.placeholder(["Camera closed (it opens for calls)", "p: preview it"]), nil) }
            if let f = localFrame { return (.frame(f), nil) }
            return (.placeholder(["Starting camera..."]), nil)
        }
    }

    func endCallForExit() {
        if model.call != .idle { callControl.hangUp() }
    }

    func requestFullRepaint() {
        fullRepaint = true
        chromeDirty = true
    }

    func markDirty() { chromeDirty = true }

    /// Render options changed: results made for the old ones are dropped.
    func bumpVideoGeneration() { videoGeneration += 1 }
}
