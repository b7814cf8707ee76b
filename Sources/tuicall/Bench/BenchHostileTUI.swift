import Foundation
import Media
import NetworkProbes
import Signaling

/// The `tui` scenario of `tuicall bench hostile`: keystroke-to-screen latency of a real `tuicall` client in
/// tmux while another user floods the chat with 60 KB lines as fast as the server's rate limit lets through
/// (no broadcast budget in the way: the client must cope on its own).
extension BenchHostile {
    /// tmux on a private socket, so the bench never touches the user's own tmux sessions.
    struct BenchTmux {
        let socket = "tuicall-bench-\(getpid())"

        /// Runs one tmux command and returns its output. posix_spawn and waitpid, not Foundation's Process,
        /// whose exit monitoring stalls here while the bench's tasks block in these calls.
        @discardableResult
        func run(_ args: [String]) throws -> String {
            var fds: [Int32] = [0, 0]
            guard pipe(&fds) == 0 else { throw CLIError("bench tui: pipe failed") }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            // The tmux server forks from the first command and would keep a pipe open: no pipe for that one.
            if args.first == "new-session" {
                posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            } else {
                posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
            }
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addclose(&actions, fds[0])
            posix_spawn_file_actions_addclose(&actions, fds[1])
            let argv = (["tmux", "-L", socket, "-f", "/dev/null"] + args).map { strdup($0) } + [nil]
            defer { for a in argv { free(a) } }
            var pid = pid_t()
            let rc = posix_spawnp(&pid, "tmux", &actions, nil, argv, environ)
            close(fds[1])
            defer { close(fds[0]) }
            guard rc == 0 else { throw CLIError("bench tui: cannot run tmux (\(String(cString: strerror(rc))))") }
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fds[0], &buffer, buffer.count)
                if n <= 0 { break }
                data += buffer[0..<n]
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            guard status == 0 else { throw CLIError("tmux \(args.first ?? "") failed") }
            return String(decoding: data, as: UTF8.self)
        }

        func capture() throws -> String { try run(["capture-pane", "-p", "-t", "bench"]) }

        func waitFor(_ text: String, seconds: Double) throws {
            let deadline = Date().addingTimeInterval(seconds)
            while !(try capture().contains(text)) {
                guard Date() < deadline else { throw CLIError("bench tui: \"\(text)\" never appeared") }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }

        /// Ends the client and the tmux server. tmux 3.3 here can answer `kill-server` and stay up with the
        /// client still running (both were left behind by every run), so the client gets the SIGHUP a closed
        /// terminal sends, and whatever is still alive 2 s later is killed.
        func kill() {
            func pid(_ format: String, _ target: [String]) -> pid_t? {
                (try? run(["display-message", "-p"] + target + [format]))
                    .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            }
            let pids = [pid("#{pane_pid}", ["-t", "bench"]), pid("#{pid}", [])].compactMap { $0 }
            if let pane = pids.first { Glibc.kill(pane, SIGHUP) }
            _ = try? run(["kill-server"])
            let deadline = Date().addingTimeInterval(2)
            for p in pids {
                while Glibc.kill(p, 0) == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
                if Glibc.kill(p, 0) == 0 { Glibc.kill(p, SIGKILL) }
            }
        }
    }

    /// ms from `send-keys` until the input line shows each of `keys` new letters (sorted).
    func keyLatencies(_ tmux: BenchTmux, keys: Int, typed: inout String) async throws -> [Double] {
        var out: [Double] = []
        for i in 0..<keys {
            typed += String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i % 26)))
            let start = MonotonicClock.now()
            try tmux.run(["send-keys", "-t", "bench", "-l", String(typed.last!)])
            // As fast as tmux answers (a capture takes a few ms).
            while !(try tmux.capture().contains("> " + typed)) {
                if MonotonicClock.now() - start > 30_000_000_000 { throw CLIError("bench tui: a key never appeared") }
            }
            out.append(Double(MonotonicClock.now() - start) / 1e6)
            try await Task.sleep(for: .milliseconds(150))
        }
        return out.sorted()
    }

    func tuiFlood() async throws -> JSONObject {
        let server = try startServer(broadcastBudget: 1e12)
        defer { server.stop() }
        let tmux = BenchTmux()
        defer { tmux.kill() }
        let client = URL(fileURLWithPath: clientBinary ?? "/proc/self/exe").resolvingSymlinksInPath().path
        let log = NSTemporaryDirectory() + "tuicall-bench-tui.log"
        let command = "env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color COLORTERM=truecolor XDG_STATE_HOME=\(NSTemporaryDirectory())"
            + " '\(client)' client --server ws://127.0.0.1:\(server.port) --name alice --camera none --mic none"
            + " --speaker none --log '\(log)'"
        try tmux.run(["new-session", "-d", "-s", "bench", "-x", "160", "-y", "48", command])
        try tmux.waitFor("online", seconds: 20)
        try tmux.run(["send-keys", "-t", "bench", "Tab"])
        var warmup = ""
        let idle = try await keyLatencies(tmux, keys: 10, typed: &warmup)
        try tmux.run(["send-keys", "-t", "bench", "C-u"])

        // 400 lines of 60 KB at 90 lines/s (the rate limit is 100/s); the sender reads what comes back.
        let flooder = try await login(server.port, "flood")
        defer { flooder.close() }
        let line = String(repeating: "flood ", count: 10_000)
        let floodLines = 400
        let flood = Task {
            for i in 0..<floodLines {
                flooder.write(RawSocket.text(SignalMessage.chat(ChatMessage(text: "\(i) " + line)).text))
                _ = await flooder.read(for: 1.0 / 90)
            }
        }
        try tmux.waitFor("flood flood flood", seconds: 20)
        let cpuBefore = ProcessCPU.seconds(pid: try clientPid(tmux))
        let start = MonotonicClock.now()
        var typed = ""
        let during = try await keyLatencies(tmux, keys: 20, typed: &typed)
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        let cpu = ProcessCPU.seconds(pid: try clientPid(tmux)) - cpuBefore
        let stillFlooding = try !tmux.capture().contains("\(floodLines - 1) flood")
        flood.cancel()
        func f(_ v: Double) -> JSONValue { .number(String(format: "%.0f", v)) }
        return ["bench": "hostile", "scenario": "tui-flood", "line_bytes": .int(line.utf8.count + 4),
                "lines_per_second": 90, "idle_key_p50_ms": f(idle[idle.count / 2]), "idle_key_max_ms": f(idle.last!),
                "flood_key_p50_ms": f(during[during.count / 2]), "flood_key_p90_ms": f(during[during.count * 9 / 10]),
                "flood_key_max_ms": f(during.last!), "flood_still_running": .bool(stillFlooding),
                "client_cpu_percent": f(cpu / seconds * 100),
                "note": "includes tmux send-keys and capture-pane (see idle figures)"]
    }

    private func clientPid(_ tmux: BenchTmux) throws -> Int32 {
        let shell = try tmux.run(["display-message", "-p", "-t", "bench", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let pid = Int32(shell) else { throw CLIError("bench tui: no pane pid") }
        return pid
    }
}
