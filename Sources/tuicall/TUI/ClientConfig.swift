import Capture
import Foundation

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

/// `$XDG_CONFIG_HOME/tuicall/config`: `key = value` lines with the long option names as keys
/// (server, name, camera, mic, speaker, render, color, log, auto-answer); `#` starts a comment.
struct ConfigFile: Sendable, Equatable {
    static let keys: Set<String> = ["server", "name", "camera", "mic", "speaker", "render", "color", "log", "token",
                                    "auto-answer"]
    var values: [String: String] = [:]

    /// The config file's path: $XDG_CONFIG_HOME/tuicall/config, else ~/.config/tuicall/config.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSTemporaryDirectory()) + "/.config")
        return base + "/tuicall/config"
    }

    /// Parses config text; errors name the file, the line and what is accepted.
    init(text: String, path: String) throws {
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
            guard ConfigFile.keys.contains(key) else {
                throw CLIError("\(path):\(i + 1): unknown key `\(key)`; use one of "
                               + ConfigFile.keys.sorted().joined(separator: ", "))
            }
            values[key] = value
        }
    }

    init() {}

    /// Reads `path`; a missing file is an empty config.
    static func load(path: String) throws -> ConfigFile {
        guard FileManager.default.fileExists(atPath: path) else { return ConfigFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read config file \(path): check its permissions")
        }
        return try ConfigFile(text: String(decoding: data, as: UTF8.self), path: path)
    }

    /// `auto-answer` as a boolean (true/false, yes/no, on/off, 1/0).
    func bool(_ key: String, path: String) throws -> Bool? {
        guard let v = values[key]?.lowercased() else { return nil }
        switch v {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw CLIError("\(path): \(key) = \(v): use true or false")
        }
    }
}

/// The command-line values as given (nil: not given), merged over the config file.
struct ClientArguments: Sendable {
    var server: String?
    var name: String?
    var camera: String?
    var mic: String?
    var speaker: String?
    var render: String?
    var color: String?
    var log: String?
    var token: String? = nil
    var autoAnswer: Bool

    /// Command line over config file over defaults; errors say which value is wrong and what is accepted.
    func merged(with config: ConfigFile, configPath: String,
                environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ClientSettings {
        func pick(_ cli: String?, _ key: String) -> String? { cli ?? config.values[key] }
        let user = environment["USER"].flatMap { $0.isEmpty ? nil : $0 }
        let renderText = pick(render, "render")
        let colorText = pick(color, "color")
        var parsedRender: RenderChoice?
        if let r = renderText {
            guard let v = RenderChoice(rawValue: r.lowercased()) else {
                throw CLIError("unknown render mode '\(r)': use half, quadrant or ascii")
            }
            parsedRender = v
        }
        var parsedColor: ColorChoice?
        if let c = colorText {
            guard let v = ColorChoice(rawValue: c.lowercased()) else {
                throw CLIError("unknown colour depth '\(c)': use 24bit, 256, 16 or mono")
            }
            parsedColor = v
        }
        let server = pick(self.server, "server")
        if let s = server, !(s.lowercased().hasPrefix("ws://") || s.lowercased().hasPrefix("wss://")) {
            throw CLIError("bad server '\(s)': use a WebSocket URL such as ws://host:6503")
        }
        let name = (pick(self.name, "name") ?? user ?? ClientSettings.fallbackName).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CLIError("the name is empty: give --name NAME") }
        return ClientSettings(
            server: server, name: name,
            camera: pick(camera, "camera") ?? CaptureOptions.defaultCamera,
            mic: pick(mic, "mic") ?? CaptureOptions.defaultMic,
            speaker: pick(speaker, "speaker") ?? CaptureOptions.defaultSpeaker,
            render: parsedRender, color: parsedColor,
            log: pick(log, "log"), token: pick(token, "token"),
            autoAnswer: try autoAnswer || (config.bool("auto-answer", path: configPath) ?? false))
    }
}
