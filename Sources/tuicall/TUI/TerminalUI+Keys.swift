import CNcursesw

/// What a key did.
enum KeyResult { case handled, quit }

/// Keys and mouse. With the user list focused letters are commands; in the chat input they are
/// text (Esc or Tab leaves it).
extension TerminalUI {
    /// Keys ncurses reports as characters.
    enum Ascii {
        static let tab: UInt32 = 9, lineFeed: UInt32 = 10, carriageReturn: UInt32 = 13, escape: UInt32 = 27
        static let backspace: UInt32 = 127, ctrlH: UInt32 = 8, ctrlL: UInt32 = 12, ctrlU: UInt32 = 21
        static let ctrlA: UInt32 = 1, ctrlE: UInt32 = 5
    }
    /// Lines the mouse wheel scrolls the chat.
    static let wheelLines = 3

    func handleKey(_ key: KeyInput) -> KeyResult {
        markDirty()
        switch key {
        case .mouse(let row, let col, let buttons): handleMouse(row: row, col: col, buttons: buttons)
        case .function(let code): handleFunctionKey(code)
        case .char(let s):
            if s.value == Ascii.tab { model.focus = model.focus == .users ? .input : .users; return .handled }
            if s.value == Ascii.ctrlL { requestFullRepaint(); return .handled }
            if model.focus == .input { inputChar(s) } else { return commandChar(s) }
        }
        return .handled
    }

    private func handleFunctionKey(_ code: Int32) {
        let chatPage = max(1, layout.chat.h - 1)
        switch code {
        case KEY_RESIZE: relayout()
        case KEY_PPAGE: model.chat.scroll(by: chatPage, width: layout.chat.w, height: layout.chat.h)
        case KEY_NPAGE: model.chat.scroll(by: -chatPage, width: layout.chat.w, height: layout.chat.h)
        case KEY_BTAB: model.focus = model.focus == .users ? .input : .users
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
        case KEY_ENTER: inviteSelected()
        default: break
        }
    }

    private func inputFunction(_ code: Int32) {
        switch code {
        case KEY_LEFT: model.input.left()
        case KEY_RIGHT: model.input.right()
        case KEY_HOME: model.input.home()
        case KEY_END: model.input.end()
        case KEY_BACKSPACE: model.input.backspace()
        case KEY_DC: model.input.delete()
        case KEY_ENTER: sendChat()
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
        case "q", "Q": return .quit
        case "\n", "\r": inviteSelected()
        case "k": model.moveSelection(-1)
        case "j": model.moveSelection(1)
        case "a", "d", "h": callKey(s)
        case "m": toggleMute()
        case "v": toggleCamera()
        case "p": togglePreview()
        case "s": toggleStats()
        case "c": cycleRender()
        case "\u{1B}": break
        case "i", "/":
            model.focus = .input
        default:
            if s.value >= 0x20 {
                model.say("Keys: Tab chat, ↑/↓ select, Enter call, a/d accept/decline, h hang up, m v p s c, q quit.")
            }
        }
        return .handled
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
