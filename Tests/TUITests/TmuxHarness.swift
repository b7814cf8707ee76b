import Foundation
import Testing
import TestSupport

/// Errors of the test harness, with what to do about them.
struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A private tmux server (its own socket) for one test: sessions of a fixed size running real
/// processes; keys in, screen contents (with escapes) out. `kill()` ends it and its processes.
final class Tmux: @unchecked Sendable {
    let socket: String
    /// Environment for every pane: a UTF-8 locale, a 256-colour terminfo, truecolour announced.
    let paneEnvironment: [String: String]
    private let scratch: URL

    init() throws {
        socket = "tuicall-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent(socket)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        paneEnvironment = [
            "TERM": "tmux-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "HOME": scratch.path, "XDG_CONFIG_HOME": scratch.appendingPathComponent("config").path,
            "XDG_STATE_HOME": scratch.appendingPathComponent("state").path, "PS1": "$ ",
        ]
    }

    /// A directory of this test's own.
    var directory: URL { scratch }

    @discardableResult
    func run(_ args: [String]) throws -> String {
        // Output goes to files, not pipes: the tmux server daemon inherits the first client's
        // descriptors and would hold a pipe open forever (Foundation's Process then never
        // reports the exit), and a large capture would fill a pipe.
        let outPath = scratch.appendingPathComponent("tmux-\(UUID().uuidString).out").path
        let errPath = outPath + ".err"
        defer { unlink(outPath); unlink(errPath) }
        let argv = ["tmux", "-u", "-L", socket, "-f", "/dev/null"] + args
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"; env["LC_ALL"] = "C.UTF-8"
        env.removeValue(forKey: "TMUX")
        let status = try Self.spawnAndWait(argv, environment: env, stdout: outPath, stderr: errPath)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
            throw HarnessError("tmux \(args.joined(separator: " ")) failed (\(status)): \(err)")
        }
        return out
    }

    /// posix_spawnp + waitpid, stdin from /dev/null, stdout and stderr to files.
    static func spawnAndWait(_ argv: [String], environment: [String: String], stdout: String, stderr: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let cArgs = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
        // The test runner's threads block signals; a tmux server inheriting that mask would
        // ignore kill-server (it SIGTERMs itself). Start children with no blocked signals and
        // default actions.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, &attr, cArgs, cEnv)
        guard rc == 0 else { throw HarnessError("cannot run \(argv[0]): \(String(cString: strerror(rc))); install tmux") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // Exit code when it exited normally, else 128 + signal.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    /// Starts session `name` (`cols`×`rows`) running `command` through sh with the pane
    /// environment plus `env`; with `command` nil, an interactive sh.
    func newSession(_ name: String, cols: Int = 160, rows: Int = 48, command: String?, env: [String: String] = [:]) throws {
        let all = paneEnvironment.merging(env) { _, new in new }
        let assignments = all.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let shell = "env -i PATH=/usr/local/bin:/usr/bin:/bin \(assignments) sh" + (command.map { " -c \(Self.quote($0))" } ?? "")
        try run(["new-session", "-d", "-s", name, "-x", "\(cols)", "-y", "\(rows)", shell])
        try run(["set-option", "-t", name, "remain-on-exit", "on"])
    }

    func sendKeys(_ target: String, _ keys: String...) throws { try run(["send-keys", "-t", target] + keys) }
    func sendText(_ target: String, _ text: String) throws { try run(["send-keys", "-t", target, "-l", text]) }
    func sendBytes(_ target: String, _ bytes: [UInt8]) throws {
        try run(["send-keys", "-t", target, "-H"] + bytes.map { String(format: "%02x", $0) })
    }

    /// The pane's screen, optionally with SGR escapes.
    func capture(_ target: String, escapes: Bool = false) throws -> String {
        try run(["capture-pane", "-p", "-t", target] + (escapes ? ["-e"] : []))
    }

    func lines(_ target: String) throws -> [String] {
        try capture(target).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// A tmux format for the pane (`#{alternate_on}`, `#{pane_pid}` ...).
    func format(_ target: String, _ f: String) throws -> String {
        try run(["display-message", "-p", "-t", target, f]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Polls `condition` every 100 ms until true or `seconds` pass; then fails with the screen.
    func waitUntil(_ target: String, seconds: Double = 15, _ what: String,
                   sourceLocation: SourceLocation = #_sourceLocation, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let screen = (try? capture(target)) ?? "(no capture)"
        Issue.record("timed out after \(seconds) s waiting for \(what); screen of \(target):\n\(screen)", sourceLocation: sourceLocation)
        throw HarnessError("timed out waiting for \(what)")
    }

    func waitForText(_ target: String, _ text: String, seconds: Double = 15,
                     sourceLocation: SourceLocation = #_sourceLocation) throws {
        try waitUntil(target, seconds: seconds, "\"\(text)\"", sourceLocation: sourceLocation) {
            try capture(target).contains(text)
        }
    }

    /// Ends the tmux server: its panes get SIGHUP, as when a terminal window is closed.
    func kill() {
        let serverPid = (try? run(["display-message", "-p", "#{pid}"])).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        _ = try? run(["kill-server"])
        if let serverPid {
            // Make sure: a server that ignored kill-server is killed outright.
            let deadline = Date().addingTimeInterval(2)
            while Self.isRunning(serverPid) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if Self.isRunning(serverPid) { _ = Foundation.kill(serverPid, SIGKILL) }
        }
        unlink("/tmp/tmux-\(getuid())/\(socket)")
        try? FileManager.default.removeItem(at: scratch)
    }

    /// Whether `pid` exists and has not exited (a zombie waiting to be reaped has).
    static func isRunning(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].dropFirst().first
        return state != "Z" && state != "X"
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// Child processes of `pid` (from /proc), to signal the client a pane's shell started.
func childProcesses(of pid: Int32) -> [Int32] {
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
    var out: [Int32] = []
    for e in entries {
        guard let p = Int32(e), let stat = try? String(contentsOfFile: "/proc/\(e)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, Int32(fields[1]) == pid { out.append(p) }
    }
    return out
}
