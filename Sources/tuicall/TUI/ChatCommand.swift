/// What a line typed into the chat input means: weechat/irssi habits.
enum ChatCommand: Equatable {
    /// Plain text for everyone.
    case say(String)
    /// `/msg NAME text`: to one user only.
    case privateMessage(to: String, text: String)
    /// `/me waves`: an action, sent as "/me waves" (other tuicall clients show "* alice waves").
    case me(String)
    case help
    /// `/call NAME`, `/hangup`, `/quit`.
    case call(String)
    case hangUp
    case quit
    /// A command that is not one, or is missing its argument: the text says how to use it.
    case invalid(String)

    /// Commands and what they do, for `/help` and the help screen.
    static let usage: [(String, String)] = [
        ("/msg NAME text", "a private message to NAME (only they see it)"),
        ("/me text", "an action: * you text"),
        ("/call NAME", "call NAME"),
        ("/hangup", "end the call"),
        ("/quit", "quit tuicall"),
        ("/help", "this list"),
        ("//text", "a line that starts with /"),
    ]

    static func parse(_ line: String, users: [String]) -> ChatCommand {
        guard line.hasPrefix("/") else { return .say(line) }
        if line.hasPrefix("//") { return .say(String(line.dropFirst())) }
        let parts = line.dropFirst().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let command = parts.first.map { String($0).lowercased() } ?? ""
        let rest = parts.count > 1 ? String(parts[1]) : ""
        switch command {
        case "msg", "query", "m":
            // Names may hold spaces: the longest listed name that the rest starts with wins.
            let target = users.filter { rest.hasPrefix($0 + " ") }.max { $0.count < $1.count }
                ?? rest.split(separator: " ", maxSplits: 1).first.map(String.init)
            guard let target, !target.isEmpty else { return .invalid("usage: /msg NAME text") }
            let text = rest.dropFirst(target.count).trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { return .invalid("usage: /msg \(target) text (the message is empty)") }
            return .privateMessage(to: target, text: text)
        case "me":
            guard !rest.trimmingCharacters(in: .whitespaces).isEmpty else { return .invalid("usage: /me text") }
            return .me(rest)
        case "help", "?": return .help
        case "call":
            let name = rest.trimmingCharacters(in: .whitespaces)
            return name.isEmpty ? .invalid("usage: /call NAME") : .call(name)
        case "hangup", "hang-up", "bye": return .hangUp
        case "quit", "exit": return .quit
        default: return .invalid("unknown command /\(command): /help lists them (start with // to send a /)")
        }
    }

    /// The text of a received line that is a `/me` action, without the marker.
    static func action(in text: String) -> String? {
        text.hasPrefix("/me ") ? String(text.dropFirst(4)) : nil
    }
}
