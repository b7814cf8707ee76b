import CallEngine
import Capture
import Foundation
import Logging
import WebRTCTransport

/// The client's settings after merging the command line over the config file over the defaults.
struct ClientSettings: Sendable, Equatable {
    /// Default signaling server (also where an embedded server is started when none answers).
    static let defaultServer = "ws://127.0.0.1:6503"
    /// Name used when neither --name, the config file nor $USER gives one.
    static let fallbackName = "user"

    /// nil: the default server, embedded when none answers.
    var server: String?
    var name: String
    var camera: String
    var mic: String
    var speaker: String
    /// nil: detected from the terminal.
    var render: RenderChoice?
    var color: ColorChoice?
    var log: String?
    /// Access token for servers started with `--token-file`.
    var token: String? = nil
    var autoAnswer: Bool
}

/// `--render half|quadrant|ascii`.
enum RenderChoice: String, Sendable, CaseIterable {
    case half, quadrant, ascii
}

/// `--color 24bit|256|16|mono`.
enum ColorChoice: String, Sendable, CaseIterable {
    case truecolor = "24bit", palette256 = "256", palette16 = "16", mono
}

/// `$XDG_CONFIG_HOME/tuicall/config`: `key = value` lines with the client's long option names as keys
/// (every one of them: `ClientConfigArguments`); `#` starts a comment.
struct ConfigFile: Sendable, Equatable {
    /// Lines as read: key, value and line number (a repeatable option may come several times).
    var entries: [(key: String, value: String, line: Int)] = []
    let path: String

    static func == (a: ConfigFile, b: ConfigFile) -> Bool {
        a.path == b.path && a.entries.elementsEqual(b.entries) { $0.key == $1.key && $0.value == $1.value && $0.line == $1.line }
    }

    /// The config file's path: $XDG_CONFIG_HOME/tuicall/config, else ~/.config/tuicall/config.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSTemporaryDirectory()) + "/.config")
        return base + "/tuicall/config"
    }

    /// Parses config text; errors name the file, the line and what is accepted.
    init(text: String, path: String) throws {
        self.path = path
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "=") else {
                throw CLIError("\(path):\(i + 1): expected `key = value`, got `\(trimmed)`")
            }
            let key = trimmed[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            var value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
            guard ClientConfigArguments.options.contains(key) || ClientConfigArguments.flags.contains(key) else {
                throw CLIError("\(path):\(i + 1): unknown key `\(key)`; use one of "
                               + (ClientConfigArguments.options + ClientConfigArguments.flags).sorted().joined(separator: ", "))
            }
            entries.append((key, value, i + 1))
        }
    }

    init(path: String = "") { self.path = path }

    /// Reads `path`; a missing file is an empty config.
    static func load(path: String) throws -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return ConfigFile(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read config file \(path): check its permissions")
        }
        return try ConfigFile(text: String(decoding: data, as: UTF8.self), path: path)
    }
}

/// The config file as command-line arguments, placed before the user's own so the command line wins:
/// every long option of `tuicall client` is a key (`server = ws://...`), flags take true/false
/// (`auto-answer = true`, `bell = false`).
enum ClientConfigArguments {
    /// Options taking a value (a test checks this is every one `tuicall client --help` lists).
    static let options = ["server", "name", "camera", "mic", "speaker", "render", "color", "log", "log-level", "token",
                          "ring-timeout", "ca-file", "ice-server", "turn-user", "turn-pass"]
    /// Options whose value may repeat (one line each, or comma-separated).
    static let repeatable: Set<String> = ["ice-server"]
    /// Flags with `--no-` forms (`key = true|false`), and plain flags (`key = true` sets them).
    static let invertible: Set<String> = ["auto-answer", "bell"]
    static let plainFlags: Set<String> = ["no-log", "keep-retrying", "relay-only"]
    static var flags: [String] { Array(invertible) + Array(plainFlags) }

    /// `cli` (the arguments after the program name, the client's) with the config's settings in front,
    /// for every key the command line does not set itself. Errors name the file and line.
    static func merge(config: ConfigFile, cli: [String]) throws -> [String] {
        let given = Set(cli.compactMap { arg -> String? in
            guard arg.hasPrefix("--") else { return nil }
            let name = String(arg.dropFirst(2).prefix { $0 != "=" })
            if name.hasPrefix("no-"), invertible.contains(String(name.dropFirst(3))) { return String(name.dropFirst(3)) }
            return name
        })
        var out: [String] = []
        for e in config.entries where !given.contains(e.key) {
            if invertible.contains(e.key) || plainFlags.contains(e.key) {
                switch e.value.lowercased() {
                case "true", "yes", "on", "1": out.append("--\(e.key)")
                case "false", "no", "off", "0": if invertible.contains(e.key) { out.append("--no-\(e.key)") }
                default: throw CLIError("\(config.path):\(e.line): \(e.key) = \(e.value): use true or false")
                }
            } else if repeatable.contains(e.key) {
                for v in e.value.split(separator: ",") {
                    let value = v.trimmingCharacters(in: .whitespaces)
                    try check(e.key, value, config.path, e.line)
                    out += ["--\(e.key)", value]
                }
            } else {
                guard !e.value.isEmpty else { throw CLIError("\(config.path):\(e.line): \(e.key) has no value") }
                try check(e.key, e.value, config.path, e.line)
                out += ["--\(e.key)", e.value]
            }
        }
        return out + cli
    }

    /// Checks one config value as the option would, so that the error names the file and the line.
    static func check(_ key: String, _ value: String, _ path: String, _ line: Int) throws {
        let problem: String?
        switch key {
        case "render": problem = RenderChoice(rawValue: value.lowercased()) == nil ? "use half, quadrant or ascii" : nil
        case "color": problem = ColorChoice(rawValue: value.lowercased()) == nil ? "use 24bit, 256, 16 or mono" : nil
        case "log-level":
            problem = Logger.Level(rawValue: value) == nil ? "use trace, debug, info, notice, warning, error or critical" : nil
        case "ice-server":
            do { _ = try IceServerURL(parsing: value); problem = nil } catch { problem = "\(error)" }
        default:
            // Types and the command's own checks (a number, a readable file).
            do { _ = try ClientCommand.parse(["--\(key)", value]); problem = nil } catch {
                problem = ClientCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            }
        }
        if let problem { throw CLIError("\(path):\(line): \(key) = \(value): \(problem)") }
    }

    /// The whole command line with the client's config merged in: only for the client (the default
    /// command), not for `serve`, `headless`, `devices`, `bench` or help.
    static func expand(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        let others: Set<String> = ["serve", "headless", "devices", "bench", "help", "-h", "--help", "--version",
                                   "--experimental-dump-help", "--generate-completion-script"]
        if let first = arguments.first, others.contains(first) { return arguments }
        let cli = arguments.first == "client" ? Array(arguments.dropFirst()) : arguments
        if cli.contains("--help") || cli.contains("-h") { return ["client"] + cli }
        let config = try ConfigFile.load(path: ConfigFile.defaultPath(environment: environment))
        return ["client"] + (try merge(config: config, cli: cli))
    }

    /// `tuicall --check-config`: the config file as the arguments it adds, one per line (or its error).
    static func check(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let path = ConfigFile.defaultPath(environment: environment)
        let merged = try merge(config: try ConfigFile.load(path: path), cli: [])
        return "\(path): OK\n" + merged.joined(separator: "\n")
    }
}

extension ClientSettings {
    /// Checks and completes what the command line (with the config merged in) says.
    static func make(server: String?, name: String?, camera: String?, mic: String?, speaker: String?,
                     render: String?, color: String?, log: String?, token: String?, autoAnswer: Bool,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientSettings {
        var parsedRender: RenderChoice?
        if let r = render {
            guard let v = RenderChoice(rawValue: r.lowercased()) else {
                throw CLIError("unknown render mode '\(r)': use half, quadrant or ascii")
            }
            parsedRender = v
        }
        var parsedColor: ColorChoice?
        if let c = color {
            guard let v = ColorChoice(rawValue: c.lowercased()) else {
                throw CLIError("unknown colour depth '\(c)': use 24bit, 256, 16 or mono")
            }
            parsedColor = v
        }
        if let s = server, !(s.lowercased().hasPrefix("ws://") || s.lowercased().hasPrefix("wss://")) {
            throw CLIError("bad server '\(s)': use a WebSocket URL such as ws://host:6503")
        }
        let user = environment["USER"].flatMap { $0.isEmpty ? nil : $0 }
        let name = (name ?? user ?? ClientSettings.fallbackName).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CLIError("the name is empty: give --name NAME") }
        return ClientSettings(server: server, name: name, camera: camera ?? CaptureOptions.defaultCamera,
                              mic: mic ?? CaptureOptions.defaultMic, speaker: speaker ?? CaptureOptions.defaultSpeaker,
                              render: parsedRender, color: parsedColor, log: log, token: token, autoAnswer: autoAnswer)
    }
}
