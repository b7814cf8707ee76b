import Media
import Render

/// The ncurses part of the screen: user list, divider, chat, input, status and hint lines.
/// The video pane's cells get only a marker (see `CursesScreen.reserve`).
extension TerminalUI {
    func drawScreen() {
        screen.erase()
        if layout.tooSmall {
            drawTooSmall()
            return
        }
        drawUsers()
        drawDividers()
        screen.reserve(layout.video)
        drawChat()
        drawInput()
        drawStatus()
    }

    private var utf8: Bool { screen.utf8 }

    private func drawTooSmall() {
        let lines = layout.tooSmallMessage.flatMap { TextWidth.wrap($0, width: max(1, layout.cols - 2)) }
        let top = max(0, (layout.rows - lines.count) / 2)
        for (i, l) in lines.enumerated() where top + i < layout.rows {
            screen.put(top + i, 1, l, width: layout.cols - 1, style: .warning)
        }
    }

    private func drawUsers() {
        let r = layout.users
        let title = "Users (\(model.users.count))"
        screen.put(r.y, r.x, " " + title, width: r.w, style: .title)
        let rowsAvailable = r.h - 1
        if model.users.isEmpty {
            let text = model.connection == .online ? " (nobody)" : " (offline)"
            screen.put(r.y + 1, r.x, text, width: r.w, style: .hint)
            userListOffset = 0
            return
        }
        // Keep the selection visible.
        if model.selected < userListOffset { userListOffset = model.selected }
        if model.selected >= userListOffset + rowsAvailable { userListOffset = model.selected - rowsAvailable + 1 }
        userListOffset = max(0, min(userListOffset, max(0, model.users.count - rowsAvailable)))
        for i in 0..<rowsAvailable {
            let index = userListOffset + i
            guard index < model.users.count else { break }
            let name = model.users[index]
            let isYou = name == model.myName
            // Read as a phrase: "calling bob…" (we call), "bob calls you", "bob ● in call".
            var lead = "", tag = ""
            var style: Style = .normal
            if isYou {
                tag = " (you)"; style = .you
            } else if model.call.peer == name {
                switch model.call {
                case .inCall: tag = utf8 ? " ● in call" : " *in call"
                case .calling: lead = "calling "; tag = utf8 ? "…" : "..."
                case .ringing: tag = " calls you"
                case .idle: break
                }
                style = .inCall
            } else if model.busyUsers.contains(name) {
                tag = " (in a call)"; style = .system
            }
            if index == model.selected {
                style = model.focus == .users ? .selected : .selectedUnfocused
            }
            let marker = index == model.selected ? (utf8 ? "▸" : ">") : " "
            let nameWidth = max(1, r.w - 1 - TextWidth.cells(lead) - TextWidth.cells(tag))
            let text = marker + lead + TextWidth.truncate(name, width: nameWidth, utf8: utf8) + tag
            screen.put(r.y + 1 + i, r.x, text, width: r.w, style: style)
        }
    }

    private func drawDividers() {
        let vertical = utf8 ? "│" : "|"
        for row in 0..<(layout.statusRow) {
            screen.put(row, layout.dividerCol, row == layout.chatTitleRow ? (utf8 ? "├" : "+") : vertical, width: 1, style: .divider)
        }
        let h = utf8 ? "─" : "-"
        var title = h + h + " Chat "
        let (_, moreAbove) = model.chat.visible(width: layout.chat.w, height: layout.chat.h)
        if model.chat.scrollOffset > 0 { title += "(scrolled back: PgDn) " } else if moreAbove { title += "(PgUp: older) " }
        let w = layout.video.w
        let fill = max(0, w - TextWidth.cells(title))
        screen.put(layout.chatTitleRow, layout.video.x, title + String(repeating: h, count: fill), width: w, style: .divider)
    }

    private func drawChat() {
        let r = layout.chat
        let (lines, _) = model.chat.visible(width: r.w, height: r.h)
        let top = r.y + r.h - lines.count
        for (i, line) in lines.enumerated() {
            let y = top + i
            // Time and name stand out from the text; system notes and history are one colour each.
            let prefixStyle: Style
            let bodyStyle: Style
            switch line.kind {
            case .system, .action: (prefixStyle, bodyStyle) = (.system, .system)
            case .history: (prefixStyle, bodyStyle) = (.hint, .hint)
            case .privateIn, .privateOut: (prefixStyle, bodyStyle) = (line.first ? .inCall : .normal, .inCall)
            case .own: (prefixStyle, bodyStyle) = (line.first ? .name : .normal, .own)
            case .chat: (prefixStyle, bodyStyle) = (line.first ? .name : .normal, .normal)
            }
            let x = screen.write(y, r.x, line.prefix, maxWidth: r.w, style: prefixStyle)
            screen.put(y, x, line.body, width: r.w - (x - r.x), style: bodyStyle)
        }
    }

    private func drawInput() {
        let r = layout.input
        let focused = model.focus == .input
        let prompt = focused ? "> " : "  "
        screen.put(r.y, r.x, prompt, width: 2, style: focused ? .title : .hint)
        let w = r.w - 2
        if model.input.text.isEmpty && !focused {
            screen.put(r.y, r.x + 2, "Tab: type a chat message", width: w, style: .hint)
            return
        }
        let (text, cursorCol) = model.input.window(width: w)
        screen.put(r.y, r.x + 2, text, width: w, style: .input)
        if focused {
            // A drawn cursor: the terminal's own stays hidden so video drawing cannot make it jump about.
            let under = TextWidth.prefix(String(text.unicodeScalars.dropFirst(TextWidth.prefix(text, width: cursorCol).unicodeScalars.count)), width: 2)
            let ch = under.unicodeScalars.first.map { String($0) } ?? " "
            screen.put(r.y, r.x + 2 + cursorCol, ch, width: max(1, TextWidth.cells(ch)), style: .selected)
        }
    }

    private func drawStatus() {
        let sep = utf8 ? " · " : " | "
        var parts = [model.server + (model.serverNote.map { " (\($0))" } ?? ""), model.myName, connectionText()]
        parts.append(callText())
        parts.append(deviceText())
        let ringing: Bool
        if case .ringing = model.call { ringing = true } else { ringing = false }
        screen.put(layout.statusRow, 0, " " + parts.joined(separator: sep), width: layout.cols, style: ringing ? .ringing : .status)
        if let m = model.message {
            screen.put(layout.hintRow, 0, " " + m.text, width: layout.cols, style: m.warning ? .warning : .normal)
        } else {
            screen.put(layout.hintRow, 0, " " + Self.fit(hintItems(), width: layout.cols - 1), width: layout.cols, style: .hint)
        }
    }

    /// Microphone, camera and speaker as they stand: "mic on · camera closed".
    private func deviceText() -> String {
        var out: [String] = []
        switch (model.micMuted, model.mic) {
        case (true, _): out.append("mic muted")
        case (_, .failed): out.append("mic failed")
        case (_, .none): out.append("no mic")
        case (_, .open): out.append("mic on")
        case (_, .idle): out.append("mic ready")
        }
        if camera == nil { out.append("no camera") } else if model.cameraOff { out.append("camera off") } else {
            out.append(camera?.isOpen == true ? "camera on" : "camera closed")
        }
        switch model.speaker {
        case .failed: out.append("speaker failed")
        case .none: out.append("no speaker")
        default: break
        }
        return out.joined(separator: " ")
    }

    /// Key hints that fit `width`: the first and the last (`q quit`) always, the rest while they fit.
    static func fit(_ items: [String], width: Int) -> String {
        guard items.count > 2 else { return items.joined(separator: "  ") }
        var middle: [String] = []
        let fixed = TextWidth.cells(items[0]) + TextWidth.cells(items[items.count - 1]) + 2
        var used = fixed
        for item in items.dropFirst().dropLast() {
            let w = TextWidth.cells(item) + 2
            if used + w > width { break }
            middle.append(item)
            used += w
        }
        return ([items[0]] + middle + [items[items.count - 1]]).joined(separator: "  ")
    }

    private func connectionText() -> String {
        let inCall: Bool
        if case .inCall = model.call { inCall = true } else { inCall = false }
        switch model.connection {
        case .connecting(let n): return n > 1 ? "connecting (attempt \(n))" : "connecting"
        case .connected: return "logging in"
        case .online: return "online"
        case .disconnected(let reason): return inCall ? "disconnected" : "disconnected: \(reason)"
        case .retrying(let until, let reason):
            let now = MonotonicClock.now()
            let s = until > now ? Int((until - now + 999_999_999) / 1_000_000_000) : 0
            // In a call the call's figures matter more; the reason is in the chat ("Lost the server: ...").
            return "server unreachable, retrying in \(s) s" + (inCall ? "" : ": \(reason)")
        case .failed(let reason): return "cannot connect (not retrying): \(reason)"
        case .stopped: return "offline"
        }
    }

    private func callText() -> String {
        let seconds = Int((MonotonicClock.now() - model.callPhaseSinceNs) / 1_000_000_000)
        switch model.call {
        case .idle: return "no call"
        case .ringing(let from): return "\(from) is calling (\(seconds) s): Enter accept, Esc decline"
        case .calling(let peer): return "calling \(peer)\(utf8 ? "…" : "...") \(seconds) s"
        case .inCall(let peer):
            var text = "in call with \(peer) " + String(format: "%02d:%02d", seconds / 60, seconds % 60)
            if model.peerMicMuted { text += " (\(peer) muted)" }
            guard let s = model.stats else { return text }
            return text + (utf8 ? " · " : " | ") + Self.statsText(s)
        }
    }

    static func statsText(_ s: CallFigures) -> String {
        let rtt = s.rttMs.map { String(format: "RTT %.0f ms", $0) } ?? "RTT -"
        return String(format: "%.0f fps %.0f kbit/s ", s.fps, s.kbps) + rtt + String(format: " loss %.1f%%", s.lossPct)
    }

    private func hintItems() -> [String] {
        let arrows = utf8 ? "↑↓" : "Up/Down"
        if case .ringing = model.call { return ["Enter accept", "Esc decline", "? help", "q quit"] }
        switch model.focus {
        case .users:
            return ["? help", "Tab chat", "\(arrows) select", "Enter call", "h hang up", "m mute", "v camera", "p preview",
                    "s stats", "c render", "q quit"]
        case .input:
            return ["Enter send", "\(arrows) history", "/help commands", "Esc/Tab users", "PgUp/PgDn scroll", "Ctrl-U clear",
                    "F1 help"]
        }
    }

    /// The stats overlay (`s`), drawn into the video pane.
    func statsLines() -> [String] {
        var lines: [String] = []
        let o = renderOptions
        lines.append("video \(o.mode.label), \(o.depth.label), \(layout.video.w)x\(layout.video.h) cells")
        lines.append(String(format: "local preview %.1f fps", localFps))
        if let s = model.stats { lines.append("call " + Self.statsText(s)) }
        lines.append("last draw \(lastVideoDraw.cells) cells, \(lastVideoDraw.bytes) bytes")
        return lines
    }
}
