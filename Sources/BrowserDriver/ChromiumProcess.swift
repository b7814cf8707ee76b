import Foundation
import Media
#if canImport(Glibc)
import Glibc
#endif

/// One headless Chromium in its own process group, with a throwaway profile. Everything it writes
/// (profile, crash database, log) lives in one temporary directory that `terminate()` removes.
public final class ChromiumProcess: Sendable {
    /// Where Debian's `chromium` package puts the browser (first existing one wins; $CHROMIUM replaces the list).
    public static let candidatePaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
    /// Longest wait for the DevTools endpoint after launch. Default 20 s (first start on a cold disk).
    public static let startTimeout: Double = 20
    /// Grace period between SIGTERM and SIGKILL on shutdown. Default 3 s.
    public static let termGrace: Double = 3

    public let pid: pid_t
    public let directory: String
    /// The browser-wide DevTools WebSocket, e.g. ws://127.0.0.1:41234/devtools/browser/<uuid>.
    public let devToolsURL: String

    private init(pid: pid_t, directory: String, devToolsURL: String) {
        self.pid = pid; self.directory = directory; self.devToolsURL = devToolsURL
    }

    public var logPath: String { directory + "/chromium.log" }

    /// The browser executable, or an error saying how to install it. Never a silent skip.
    public static func locate() throws -> String {
        // $CHROMIUM, when set, is the only place looked at, so a wrong value fails loudly.
        let paths = ProcessInfo.processInfo.environment["CHROMIUM"].map { [$0] } ?? candidatePaths
        for path in paths where access(path, X_OK) == 0 { return path }
        throw BrowserError("Chromium not found (looked at \(paths.joined(separator: ", "))): "
            + "run scripts/bootstrap, which installs the Debian package `chromium` (apt-get install -y chromium)")
    }

    /// Flags: headless, fake camera/microphone that need no permission prompt, loopback ICE allowed,
    /// and nothing throttled, so two windows of one browser both run at full speed.
    public static func arguments(profile: String, extra: [String] = []) -> [String] {
        [
            "--headless=new", "--no-sandbox", "--remote-debugging-port=0", "--user-data-dir=\(profile)",
            // HummingbirdWSClient always sends this Origin; DevTools refuses origins not listed.
            "--remote-allow-origins=ws://127.0.0.1",
            "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--allow-loopback-in-peer-connection",
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-first-run",
            "--no-default-browser-check", "--password-store=basic", "--window-size=1280,900",
        ] + extra + ["about:blank"]
    }

    /// Starts Chromium with `arguments(profile:extra:)`; `extra` adds or refines flags (for example
    /// `--use-fake-device-for-media-stream=fps=30`, which a later duplicate of a flag overrides).
    public static func launch(extraArguments: [String] = []) async throws -> ChromiumProcess {
        let executable = try locate()
        let tmp = NSTemporaryDirectory().hasSuffix("/") ? String(NSTemporaryDirectory().dropLast()) : NSTemporaryDirectory()
        var template = Array("\(tmp)/tuicall-browser-XXXXXX".utf8CString)
        guard let dirPointer = mkdtemp(&template) else {
            throw BrowserError("cannot create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: dirPointer)
        let profile = directory + "/profile"
        let logPath = directory + "/chromium.log"
        let args = [executable] + arguments(profile: profile, extra: extraArguments)
        // XDG dirs inside the temporary directory keep the crash database out of $HOME.
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = directory + "/config"
        env["XDG_CACHE_HOME"] = directory + "/cache"
        let pid: pid_t
        do {
            pid = try spawnInOwnGroup(executable, args, env: env, logPath: logPath)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        let deadline = Date().addingTimeInterval(startTimeout)
        while true {
            if let url = devToolsEndpoint(profile: profile, logPath: logPath) {
                return ChromiumProcess(pid: pid, directory: directory, devToolsURL: url)
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let tail = logTail(logPath)
                try? FileManager.default.removeItem(atPath: directory)
                throw BrowserError("Chromium (\(executable)) exited during start-up (\(describeWaitStatus(status))); its log ends:\n\(tail)")
            }
            if Date() >= deadline {
                let tail = logTail(logPath)
                terminateGroup(pid: pid, directory: directory)
                throw BrowserError("Chromium did not open its DevTools port within \(startTimeout) s; its log ends:\n\(tail)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// "DevTools listening on ws://..." on stderr, or the DevToolsActivePort file (port, path).
    private static func devToolsEndpoint(profile: String, logPath: String) -> String? {
        if let log = try? String(contentsOfFile: logPath, encoding: .utf8),
           let line = log.split(separator: "\n").first(where: { $0.hasPrefix("DevTools listening on ") }) {
            return String(line.dropFirst("DevTools listening on ".count)).trimmingCharacters(in: .whitespaces)
        }
        if let file = try? String(contentsOfFile: profile + "/DevToolsActivePort", encoding: .utf8) {
            let lines = file.split(separator: "\n")
            if lines.count >= 2, let port = Int(lines[0]) { return "ws://127.0.0.1:\(port)\(lines[1])" }
        }
        return nil
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc module does not show.
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let closeFromAction: CloseFrom? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: CloseFrom.self) }

    private static func spawnInOwnGroup(_ path: String, _ args: [String], env: [String: String],
                                        logPath: String) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // A new process group (pgid = pid) so shutdown reaches every helper process; default
        // signal handling and an empty mask whatever the test runner set.
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigmask(&attr, &empty)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours: an inherited listening socket (a test server's) would stay bound in
        // Chromium after we close it, and a server restarted on that port could not bind.
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }

        let argv = args.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw BrowserError("cannot start \(path): \(String(cString: strerror(rc)))")
        }
        return pid
    }

    /// "exit code N" or "signal N" for a waitpid status.
    public static func describeWaitStatus(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exit code \((status >> 8) & 0xff)" : "killed by signal \(signal)"
    }

    public static func logTail(_ path: String, lines: Int = 25) -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return "(no log at \(path))" }
        // D-Bus complaints are noise in a container; keep what could explain a failure.
        let useful = text.split(separator: "\n").filter { !$0.contains("dbus") }
        return useful.suffix(lines).joined(separator: "\n")
    }

    /// CPU time (user + system, seconds) of every process in the browser's process group.
    public func cpuSeconds() -> Double {
        Self.processes(inGroup: pid).map(ProcessCPU.seconds(pid:)).reduce(0, +)
    }

    /// Live process ids whose process group is `pgid`.
    public static func processes(inGroup pgid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { name -> pid_t? in
            guard let pid = pid_t(name),
                  let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && pid_t(fields[2]) == pgid ? pid : nil
        }
    }

    /// Stops the whole process group (TERM, then KILL), reaps the browser, ends helpers that left
    /// the group (crashpad) and removes the temporary directory.
    public func terminate() { Self.terminateGroup(pid: pid, directory: directory) }

    private static func terminateGroup(pid: pid_t, directory: String) {
        kill(-pid, SIGTERM)
        let deadline = Date().addingTimeInterval(termGrace)
        var status: Int32 = 0
        var reaped = false
        while Date() < deadline {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || r < 0 { reaped = true; break }
            usleep(20_000)
        }
        kill(-pid, SIGKILL)
        // Bounded: a process stuck in the kernel must not hang the test run.
        let killDeadline = Date().addingTimeInterval(termGrace)
        while !reaped && Date() < killDeadline {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid || r < 0 { reaped = true } else { usleep(20_000) }
        }
        // Crashpad handlers start their own groups; they are ours if their command line names our directory.
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for name in entries {
            guard let other = pid_t(name),
                  let cmdline = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"),
                  String(decoding: cmdline, as: UTF8.self).contains(directory) else { continue }
            kill(other, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}
