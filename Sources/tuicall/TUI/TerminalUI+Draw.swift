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
            let tag: String
            var style: Style = .normal
            if isYou {
                tag = " (you)"; style = .you
            } else if model.call.peer == name {
                switch model.call {
                case .inCall: tag = utf8 ? " ● call" : " *call"
                case .calling: tag = " calling"
                case .ringing: tag = " ringing"
                case .idle: tag = ""
                }
                style = .inCall
            } else {
                tag = ""
            }
            if index == model.selected {
                style = model.focus == .users ? .selected : .selectedUnfocused
            }
            let marker = index == model.selected ? (utf8 ? "▸" : ">") : " "
            let nameWidth = max(1, r.w - 1 - TextWidth.cells(tag))
            let text = marker + TextWidth.truncate(name, width: nameWidth, utf8: utf8) + tag
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
            // Time and name stand out from the text; system notes are one colour.
            let prefixStyle: Style = line.kind == .system ? .system : (line.first ? .name : .normal)
            let bodyStyle: Style = line.kind == .system ? .system : (line.kind == .own ? .own : .normal)
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
        if model.micMuted { parts.append("mic muted") }
        if model.cameraOff { parts.append("camera off") }
        screen.put(layout.statusRow, 0, " " + parts.joined(separator: sep), width: layout.cols,
                   style: model.call.peer != nil && { if case .ringing = model.call { return true }; return false }() ? .ringing : .status)
        if let m = model.message {
            screen.put(layout.hintRow, 0, " " + m.text, width: layout.cols, style: m.warning ? .warning : .normal)
        } else {
            screen.put(layout.hintRow, 0, " " + hints(), width: layout.cols, style: .hint)
        }
    }

    private func connectionText() -> String {
        switch model.connection {
        case .connecting(let n): return n > 1 ? "connecting (attempt \(n))" : "connecting"
        case .connected: return "logging in"
        case .online: return "online"
        case .disconnected(let reason): return "disconnected: \(reason)"
        case .retrying(let until, _):
            let now = MonotonicClock.now()
            let s = until > now ? Int((until - now + 999_999_999) / 1_000_000_000) : 0
            return "server unreachable, retrying in \(s) s"
        case .stopped: return "offline"
        }
    }

    private func callText() -> String {
        switch model.call {
        case .idle: return "no call"
        case .ringing(let from): return "\(from) is calling: a accept, d decline"
        case .calling(let peer): return "calling \(peer)"
        case .inCall(let peer):
            guard let s = model.stats else { return "in call with \(peer)" }
            return "in call with \(peer)" + (utf8 ? " · " : " | ") + Self.statsText(s)
        }
    }

    static func statsText(_ s: CallStats) -> String {
        let rtt = s.rttMs.map { String(format: "RTT %.0f ms", $0) } ?? "RTT -"
        return String(format: "%.0f fps %.0f kbit/s ", s.fps, s.kbps) + rtt + String(format: " loss %.1f%%", s.lossPct)
    }

    private func hints() -> String {
        switch model.focus {
        case .users:
            return "Tab chat  ↑↓ select  Enter call  a/d answer  h hang up  m mute  v camera  p preview  s stats  c render  q quit"
                .replacingOccurrences(of: "↑↓", with: utf8 ? "↑↓" : "Up/Down")
        case .input:
            return "Enter send  Esc/Tab users  PgUp/PgDn scroll  Ctrl-U clear"
        }
    }

    /// The stats overlay (`s`), drawn into the video pane.
    func statsLines() -> [String] {
        var lines: [String] = []
        let o = renderOptions
        lines.append("video \(o.mode.label), \(o.depth.label), \(layout.video.w)x\(layout.video.h) cells")
        lines.append(String(format: "local preview %.1f fps", localFps))
        if let s = model.stats { lines.append("call " + Self.statsText(s)) }
        lines.append("last draw \(video.lastChangedCells) cells, \(video.lastBytes) bytes")
        return lines
    }
}
