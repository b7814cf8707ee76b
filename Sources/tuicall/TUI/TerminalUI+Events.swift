import CNcursesw
import CallEngine
import Foundation
import Media
import Signaling
import SignalingClient

/// News from the signaling connection and the call engine, applied to the model on the UI thread.
extension TerminalUI {
    func handle(_ event: UIEvent) {
        markDirty()
        switch event {
        case .signaling(let e): handleSignaling(e)
        case .call(let e): handleCall(e)
        case .serverNote(let n):
            model.serverNote = n
            if n != nil { note("The server's host quit: this client hosts the chat server now (same address).", warning: false) }
        }
    }

    private func handleSignaling(_ e: SignalingEvent) {
        switch e {
        case .state(let s):
            callControl.signalingChanged(s)
            switch s {
            case .connecting(let n): model.connection = .connecting(attempt: n)
            case .connected: model.connection = .connected
            case .loggedIn(let name):
                model.myName = name
                model.connection = .online
                setTitle()
                if !announcedWebClient, let url = options.embedded?.webClientURL {
                    announcedWebClient = true
                    note("Browsers can join this chat at \(url) (the web client).", warning: false)
                }
            case .disconnected(let reason):
                if model.connection == .online { note("Lost the server: \(reason)", warning: true) }
                model.connection = .disconnected(reason: reason)
            case .waitingToReconnect(let seconds):
                let reason: String
                if case .disconnected(let r) = model.connection { reason = r } else { reason = "disconnected" }
                model.connection = .retrying(untilNs: MonotonicClock.now() + UInt64(seconds * 1e9), reason: reason)
            case .failed(let reason):
                model.connection = .failed(reason: reason)
                note("Cannot connect: \(reason). Not retrying (that would not help); fix it and restart, "
                     + "or use --keep-retrying.", warning: true)
            case .stopped: if case .failed = model.connection {} else { model.connection = .stopped }
            }
        case .assignedID: break
        case .renamed(let name):
            model.myName = name
            let text = "The server renamed you to \(name) (the name was taken or looked like another's)."
            note(text, warning: true)
            model.say(text, warning: true)
        case .userList(let users):
            model.setUsers(users, time: Self.clock())
            callControl.usersChanged(users)
        case .userStatus(let busy):
            model.busyUsers = Set(busy)
        case .history(let lines):
            guard !lines.isEmpty else { return }
            note("Earlier in this chat (\(lines.count) lines before you joined):", warning: false)
            for m in lines {
                model.chat.append(.init(time: Self.clock(date: m.date), name: m.name ?? "?", text: m.text, kind: .history))
            }
        case .chat(let chat):
            receiveChat(chat)
        case .message(let m):
            callControl.handle(m)
        case .serverError(let code, let text):
            let line = "Server refused: \(text) (\(code))"
            if ["token-required", "bad-token", "server-full", "invalid-username", "unknown-target",
                "broadcast-limited"].contains(code) {
                note(line, warning: true)
            }
            model.say(line, warning: true)
        }
    }

    private func receiveChat(_ chat: ChatMessage) {
        let name = chat.name ?? "?"
        let time = Self.clock(date: chat.date)
        if chat.target != nil {
            model.chat.append(.init(time: time, name: "\(name) → you", text: chat.text, kind: .privateIn))
            options.chatLogFiles?.write(peer: name, name: name, text: chat.text)
            return
        }
        if let action = ChatCommand.action(in: chat.text) {
            model.chat.append(.init(time: time, name: nil, text: "* \(name) \(action)", kind: .action))
        } else {
            model.chat.append(.init(time: time, name: name, text: chat.text, kind: name == model.myName ? .own : .chat))
        }
        options.chatLogFiles?.write(peer: nil, name: name, text: chat.text)
    }

    private func handleCall(_ e: CallEvent) {
        switch e {
        case .ringing(let from):
            model.setCall(.ringing(from: from))
            alert(from)
            if options.settings.autoAnswer {
                callControl.accept()
                model.say("Answering \(from) automatically (--auto-answer).")
            } else {
                model.say("\(from) is calling: Enter accepts, Esc declines.")
            }
        case .calling(let peer):
            if model.call != .calling(peer) { model.setCall(.calling(peer)) }
        case .inCall(let peer):
            model.setCall(.inCall(peer))
            remoteFrame = nil
            setTitle()
            // The call holds the camera now; the idle preview is over.
            if model.showPreview {
                model.showPreview = false
                camera?.release(.preview)
            }
        case .ended(let reason, let peer):
            let text: String
            switch reason {
            case .missed: text = "Missed call from \(peer ?? "someone")."
            default: text = "Call ended: \(reason.description(peer: peer))."
            }
            note(text, warning: false)
            model.setCall(.idle)
            model.quitArmedUntilNs = 0
            remoteFrame = nil
            setTitle()
            model.say(text)
        case .refused(let text):
            model.say(text, warning: true)
        case .peerMedia(let audioMuted, let videoOff):
            if let peer = model.call.peer {
                if audioMuted != model.peerMicMuted { model.say(audioMuted ? "\(peer) muted their microphone." : "\(peer) unmuted.") }
                if videoOff != model.peerCameraOff { model.say(videoOff ? "\(peer) turned their camera off." : "\(peer) turned their camera on.") }
            }
            model.peerMicMuted = audioMuted
            model.peerCameraOff = videoOff
        case .missedWhileBusy(let from):
            note("Missed call from \(from) (you were in a call; they were told you are busy).", warning: true)
        case .serverDuringCall(let peer, let back):
            let text = back ? "Back on the server; still in the call with \(peer)."
                : "The call with \(peer) goes on without the server (media is peer to peer); reconnecting…"
            note(text, warning: !back)
            model.say(text, warning: !back)
        case .mediaPath(let peer, let backAfterMs):
            let text = backAfterMs.map { "Media from \(peer) is back (after \(String(format: "%.1f", Double($0) / 1000)) s)." }
                ?? "No media path to \(peer): reconnecting (ICE restart, up to \(Int(CallOptions.defaultIceRestartTimeoutSeconds)) s)…"
            note(text, warning: backAfterMs == nil)
            model.say(text, warning: backAfterMs == nil)
        case .stats(let s): model.stats = s
        case .notice(let text):
            note(text, warning: true)
            model.say(text, warning: true)
        case .devices(let mic, let speaker):
            model.mic = mic
            model.speaker = speaker
        }
        videoDirty = true
    }

    /// A system line in the chat.
    func note(_ text: String, warning: Bool) {
        model.chat.append(.init(time: Self.clock(), name: nil, text: text, kind: .system))
    }

    /// An incoming call: the terminal bell (unless `--no-bell`) and the window title.
    private func alert(_ from: String) {
        if options.bell { beep() }
        setTitle()
    }

    /// The window title (OSC 2) for the current state: who we are, or who is calling.
    func setTitle() {
        let title: String
        switch model.call {
        case .ringing(let from): title = "\(options.utf8 ? "☎ " : "")\(from) is calling - tuicall"
        case .inCall(let peer): title = "in call with \(peer) - tuicall"
        default: title = "tuicall - \(model.myName)"
        }
        let clean = TextWidth.sanitize(title, asciiOnly: !options.utf8)
        CursesScreen.writeRaw("\u{1B}]2;\(clean)\u{07}")
    }

    /// HH:MM of `date` (ms since 1970) or now.
    static func clock(date: Int64? = nil) -> String {
        let d = date.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? Date()
        let c = Calendar.current.dateComponents([.hour, .minute], from: d)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }
}
