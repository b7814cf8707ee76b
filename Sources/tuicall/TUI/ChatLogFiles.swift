import Foundation

/// Conversations written to `$XDG_STATE_HOME/tuicall/logs/` as weechat does: one file per server and
/// conversation (`127.0.0.1_6503.public.log`, `127.0.0.1_6503.bob.log` for private lines), one line per
/// message: `2026-12-02 10:40:25<TAB>name<TAB>text`. `--no-log` turns it off.
final class ChatLogFiles {
    let directory: String
    private let server: String
    private var handles: [String: FileHandle] = [:]
    private let stamp: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f
    }()

    /// The default directory: $XDG_STATE_HOME/tuicall/logs, else ~/.local/state/tuicall/logs.
    static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/state")
        return base + "/tuicall/logs"
    }

    /// `server` is the server URL; its host and port name the files.
    init(directory: String, server: String) {
        self.directory = directory
        let host = URL(string: server).map { ($0.host ?? "server") + "_" + String($0.port ?? 6503) } ?? "server"
        self.server = Self.safe(host)
    }

    /// Appends one line to the conversation's file (`peer` nil: the public chat). Errors are ignored: the
    /// log must never stop the chat.
    func write(peer: String?, name: String, text: String, date: Date = Date()) {
        let file = server + "." + (peer.map(Self.safe) ?? "public") + ".log"
        guard let handle = handle(file) else { return }
        var line = Array(stamp.string(from: date).utf8)
        line.append(9)
        line += Self.oneLine(name)
        line.append(9)
        line += Self.oneLine(text)
        line.append(10)
        handle.write(Data(line))
    }

    private func handle(_ file: String) -> FileHandle? {
        if let h = handles[file] { return h }
        let path = directory + "/" + file
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { return nil }
        h.seekToEndOfFile()
        handles[file] = h
        return h
    }

    /// File-name-safe: letters, digits, `.`, `-` and `_`; everything else `_`.
    static func safe(_ s: String) -> String {
        String(s.unicodeScalars.map { c -> Character in
            c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." || c == "-" || c == "_" ? Character(c) : "_"
        }).replacingOccurrences(of: "..", with: "_")
    }

    /// The text's UTF-8 with line breaks and tabs as spaces. One pass over bytes: Foundation's
    /// `replacingOccurrences` on a flood of 60 KB lines kept the UI thread busy for seconds.
    static func oneLine(_ s: String) -> [UInt8] {
        var bytes = Array(s.utf8)
        bytes.withUnsafeMutableBufferPointer { b in
            for i in b.indices where b[i] == 10 || b[i] == 13 || b[i] == 9 { b[i] = 32 }
        }
        return bytes
    }
}
