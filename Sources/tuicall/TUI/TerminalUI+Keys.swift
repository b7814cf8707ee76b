import CNcursesw
import Media

/// What a key did.
enum KeyResult { case handled, quit }

/// Keys and mouse. With the user list focused letters are commands; in the chat input they are text (Esc
/// or Tab leaves it). Some keys work whatever has focus: Enter/Esc on a ringing call, F1 help, Ctrl-C quit.
/// A paste (bracketed, DECSET 2004) is always text for the input: no pasted byte is ever a command.
extension TerminalUI {
    /// Keys ncurses reports as characters.
    enum Ascii {
        static let tab: UInt32 = 9, lineFeed: UInt32 = 10, carriageReturn: UInt32 = 13, escape: UInt32 = 27
        static let backspace: UInt32 = 127, ctrlH: UInt32 = 8, ctrlL: UInt32 = 12, ctrlU: UInt32 = 21
        static let ctrlA: UInt32 = 1, ctrlE: UInt32 = 5
    }
    /// Lines the mouse wheel scrolls the chat.
    static let wheelLines = 3
    /// Enter and Esc act on a ringing call only after it has rung this long, so a line being sent as the
    /// call arrives does not answer it. 0.5 s.
    static let ringKeyGuardNs: UInt64 = 500_000_000
    /// How long a first `q` during a call waits for the second. 3 s.
    static let quitConfirmNs: UInt64 = 3_000_000_000

    func handleKey(_ key: KeyInput) -> KeyResult {
        markDirty()
        if pasting {
            pasteKey(key)
            return .handled
        }
        if model.showHelp {
            // Any key closes the help screen (q too: it does not quit from there).
            model.showHelp = false
            videoDirty = true
            return .handled
        }
        switch key {
        case .pasteBegin:
            pasting = true
            pastedLines = 0
            model.focus = .input
        case .pasteEnd: break
        case .mouse(let row, let col, let buttons): handleMouse(row: row, col: col, buttons: buttons)
        case .function(let code): handleFunctionKey(code)
        case .char(let s):
            if ringingKey(s) { return .handled }
            if s.value == Ascii.tab { model.focus = model.focus == .users ? .input : .users; return .handled }
            if s.value == Ascii.ctrlL { requestFullRepaint(); return .handled }
            if model.focus == .input { inputChar(s) } else { return commandChar(s) }
        }
        return .handled
    }

    /// Enter accepts and Esc declines a ringing call, whatever has focus (the half-typed line stays).
    private func ringingKey(_ s: Unicode.Scalar) -> Bool {
        guard case .ringing = model.call,
              MonotonicClock.now() - model.callPhaseSinceNs >= TerminalUI.ringKeyGuardNs else { return false }
        switch s.value {
        case Ascii.lineFeed, Ascii.carriageReturn: callKey("a")
        case Ascii.escape: callKey("d")
        default: return false
        }
        return true
    }

    /// Inside a paste: text goes into the input as typed, tabs and line breaks become spaces.
    private func pasteKey(_ key: KeyInput) {
        switch key {
        case .pasteEnd:
            pasting = false
            if pastedLines > 0 {
                model.say("Pasted \(pastedLines + 1) lines as one; Enter sends it, Ctrl-U clears it.")
            }
        case .char(let s):
            switch s.value {
            case Ascii.lineFeed, Ascii.carriageReturn:
                pastedLines += 1
                model.input.insert(" ")
            case Ascii.tab: model.input.insert(" ")
            default: if s.value >= 0x20 && s.value != 0x7F { model.input.insert(s) }
            }
        default: break
        }
    }

    private func handleFunctionKey(_ code: Int32) {
        let chatPage = max(1, layout.chat.h - 1)
        switch code {
        case KEY_RESIZE: relayout()
        case KEY_PPAGE: model.chat.scroll(by: chatPage, width: layout.chat.w, height: layout.chat.h)
        case KEY_NPAGE: model.chat.scroll(by: -chatPage, width: layout.chat.w, height: layout.chat.h)
        case KEY_BTAB: model.focus = model.focus == .users ? .input : .users
        case tui_key_f(1): showHelp()
        case KEY_ENTER:
            if case .ringing = model.call, MonotonicClock.now() - model.callPhaseSinceNs >= TerminalUI.ringKeyGuardNs {
                callKey("a")
            } else if model.focus == .input { sendChat() } else { inviteSelected() }
        default:
            if model.focus == .input { inputFunction(code) } else { usersFunction(code) }
        }
    }

    private func usersFunction(_ code: Int32) {
        switch code {
        case KEY_UP: model.moveSelection(-1)
        case KEY_DOWN: model.moveSelection(1)
        case KEY_HOME: model.moveSelection(-model.users.count)
        case KEY_END: model.moveSelection(model.users.count)
        default: break
        }
    }

    private func inputFunction(_ code: Int32) {
        switch code {
        case KEY_LEFT: model.input.left()
        case KEY_RIGHT: model.input.right()
        case KEY_HOME: model.input.home()
        case KEY_END: model.input.end()
        case KEY_UP: model.recall(-1)
        case KEY_DOWN: model.recall(1)
        case KEY_BACKSPACE: model.input.backspace()
        case KEY_DC: model.input.delete()
        default: break
        }
    }

    private func inputChar(_ s: Unicode.Scalar) {
        switch s.value {
        case Ascii.escape: model.focus = .users
        case Ascii.lineFeed, Ascii.carriageReturn: sendChat()
        case Ascii.backspace, Ascii.ctrlH: model.input.backspace()
        case Ascii.ctrlU: model.input.clear()
        case Ascii.ctrlA: model.input.home()
        case Ascii.ctrlE: model.input.end()
        default:
            if s.value >= 0x20 && s.value != 0x7F { model.input.insert(s) }
        }
    }

    private func commandChar(_ s: Unicode.Scalar) -> KeyResult {
        switch s {
        case "q", "Q": return quitKey()
        case "\n", "\r": inviteSelected()
        case "k": model.moveSelection(-1)
        case "j": model.moveSelection(1)
        case "a", "d", "h": callKey(s)
        case "m": toggleMute()
        case "v": toggleCamera()
        case "p": togglePreview()
        case "s": toggleStats()
        case "c": cycleRender()
        case "?": showHelp()
        case "\u{1B}": break
        case "i", "/":
            model.focus = .input
            if s == "/" { model.input.insert("/") }
        default:
            if s.value >= 0x20 { model.say("Keys: ? help, Tab chat, ↑/↓ select, Enter call, h hang up, q quit.") }
        }
        return .handled
    }

    /// `q` quits at once, except during a call (or ringing), or while others use the server this client
    /// hosts: then it asks for a second `q`.
    private func quitKey() -> KeyResult {
        let others = options.embedded?.otherUsers ?? 0
        guard model.call != .idle || others > 0 else { return .quit }
        let now = MonotonicClock.now()
        if now < model.quitArmedUntilNs { return .quit }
        model.quitArmedUntilNs = now + TerminalUI.quitConfirmNs
        if model.call != .idle {
            let what = model.call.peer.map { "the call with \($0)" } ?? "the call"
            model.say("Press q again to end \(what) and quit (Ctrl-C quits at once).", warning: true)
        } else {
            model.say("\(others) other user\(others == 1 ? " is" : "s are") on the server this client hosts: press q again "
                      + "to quit (one of them takes it over).", warning: true)
        }
        return .handled
    }

    private func showHelp() {
        model.showHelp = true
        videoDirty = true
    }

    private func inviteSelected() {
        guard let user = model.selectedUser else {
            model.say("Nobody to call: the user list is empty.", warning: true)
            return
        }
        invite(user)
    }

    private func handleMouse(row: Int, col: Int, buttons: UInt32) {
        guard !layout.tooSmall else { return }
        let pressed = buttons & (tui_button1_pressed() | tui_button1_clicked()) != 0
        if buttons & tui_button4_pressed() != 0, layout.chat.contains(row: row, col: col) {
            model.chat.scroll(by: TerminalUI.wheelLines, width: layout.chat.w, height: layout.chat.h)
            return
        }
        if buttons & tui_button5_pressed() != 0, layout.chat.contains(row: row, col: col) {
            model.chat.scroll(by: -TerminalUI.wheelLines, width: layout.chat.w, height: layout.chat.h)
            return
        }
        guard pressed else { return }
        if layout.users.contains(row: row, col: col) {
            model.focus = .users
            let index = userListOffset + row - layout.users.y - 1
            guard row > layout.users.y, model.users.indices.contains(index) else { return }
            model.selected = index
            invite(model.users[index])
        } else if layout.input.contains(row: row, col: col) {
            model.focus = .input
        }
    }
}
