/// The help screen (`?` or F1): every key and command, drawn in the video pane; any key closes it.
enum HelpScreen {
    static let lines: [String] = {
        var l = ["tuicall keys (any key closes this)", ""]
        let keys: [(String, String)] = [
            ("Tab / Shift-Tab", "switch between the user list and the chat input"),
            ("Up/Down, j/k, Home/End", "select a user (in the input: earlier lines you sent)"),
            ("Enter or click", "call the selected user (in the input: send the line)"),
            ("Enter / Esc", "accept / decline a ringing call, wherever you type"),
            ("a / d", "accept / decline (user list)"),
            ("h", "hang up or cancel"),
            ("m", "mute or unmute the microphone"),
            ("v", "camera off or on (off closes the device)"),
            ("p", "preview your camera (in a call: your picture in the corner)"),
            ("s / c", "statistics overlay / next video drawing mode"),
            ("PgUp / PgDn, wheel", "scroll the chat"),
            ("Ctrl-L", "redraw the screen"),
            ("? or F1", "this help"),
            ("q", "quit (in a call: press it twice)"),
            ("Ctrl-C", "quit at once"),
        ]
        for (k, v) in keys { l.append(pad(k) + v) }
        l.append("")
        for (k, v) in ChatCommand.usage { l.append(pad(k) + v) }
        return l
    }()

    private static func pad(_ s: String) -> String { s + String(repeating: " ", count: max(1, 24 - s.count)) }
}
