import Foundation
import Logging
import Synchronization

/// A swift-log handler that appends lines to a file. tuicall never logs to the terminal:
/// the TUI owns it.
struct FileLogHandler: LogHandler {
    final class Sink: Sendable {
        private let handle: Mutex<FileHandle?>
        init(path: String) throws {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path) {
                FileManager.default.createFile(atPath: path, contents: nil)
            }
            guard let h = FileHandle(forWritingAtPath: path) else {
                throw CLIError("cannot open log file \(path) for writing")
            }
            h.seekToEndOfFile()
            handle = Mutex(h)
        }
        func write(_ line: String) {
            handle.withLock { $0?.write(Data(line.utf8)) }
        }
    }

    let label: String
    let sink: Sink
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = ISO8601DateFormatter.string(from: Date(), timeZone: .current,
                                               formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        sink.write("\(time) \(event.level) \(label): \(event.message)\(meta)\n")
    }
}

enum LogSetup {
    /// Default log file: $XDG_STATE_HOME/tuicall/tuicall.log (~/.local/state/tuicall/tuicall.log).
    static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((env["HOME"] ?? NSTemporaryDirectory()) + "/.local/state")
        return state + "/tuicall/tuicall.log"
    }

    /// Sends every logger of the process to `path` (once per process).
    static func bootstrap(path: String?, level: Logger.Level) throws {
        let sink = try FileLogHandler.Sink(path: path ?? defaultPath)
        LoggingSystem.bootstrap { label in
            var h = FileLogHandler(label: label, sink: sink)
            h.logLevel = level
            return h
        }
    }
}

/// A user-facing error: its message is printed as is, without a stack of type names.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
