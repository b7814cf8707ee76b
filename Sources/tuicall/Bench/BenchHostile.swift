import ArgumentParser
import Foundation
import Media
import NetworkProbes
import Signaling

/// `tuicall bench hostile`: what attacks cost a real `tuicall serve` subprocess. One JSON line per scenario:
/// server CPU per 60 KB chat line, file descriptors and `/healthz` latency under thousands of idle TCP
/// connections, how long a client that stops reading stays on the user list, and keystroke latency of the
/// terminal client during a chat flood.
struct BenchHostile: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostile",
        abstract: "Attack costs against tuicall serve: costly chat, idle TCP floods, a client that stops reading.")

    @Option(help: "Scenarios: chat, idle, slow, tui (comma-separated) or all (tui only where tmux is installed).")
    var scenario = "all"
    @Option(help: "tuicall binary to run as the server (default: this one), e.g. an older build to compare.")
    var serverBinary: String?
    @Flag(help: "The server binary predates the connection-limit flags: pass none.") var legacyServer = false
    @Option(help: "tuicall binary to run as the terminal client in the tui scenario (default: this one).")
    var clientBinary: String?
    @Option(help: "Chat lines sent per kind in the chat scenario.") var lines = 100
    @Option(help: "Idle TCP connections opened in the idle scenario.") var connections = 20_000
    @Option(help: "Open-file limit of the server in the idle scenario (this machine's default).") var serverFileLimit = 20_000

    @Option(help: .hidden) var holdConnections = 0
    @Option(help: .hidden) var holdPort = 0

    /// Processes holding idle connections: the open-file limit (20,000 here) is per process, so 20,000
    /// connections take several holders.
    static let connectionsPerHolder = 5_000

    func run() async throws {
        raiseFileLimit()
        if holdConnections > 0 { return try await hold() }
        let hasTmux = ["/usr/bin/tmux", "/usr/local/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        let wanted = scenario == "all" ? ["chat", "idle", "slow"] + (hasTmux ? ["tui"] : [])
            : scenario.split(separator: ",").map(String.init)
        for s in wanted {
            switch s {
            case "chat":
                print(JSONValue.object(try await chatCost(text: String(repeating: "<", count: 60_000), kind: "<-flood")).serialized())
                let prose = String(repeating: "if a<b and c>d then <b>bold</b> text, ", count: 60_000 / 38)
                print(JSONValue.object(try await chatCost(text: prose, kind: "prose")).serialized())
            case "idle":
                // One attacking address (the default per-address limit), then many (only the global cap and the
                // upgrade deadline stand in the way: emulated with the per-address limit off).
                print(JSONValue.object(try await idleFlood(perAddressLimit: legacyServer ? nil : 64)).serialized())
                if !legacyServer { print(JSONValue.object(try await idleFlood(perAddressLimit: 0)).serialized()) }
            case "slow":
                print(JSONValue.object(try await slowReader()).serialized())
            case "tui":
                print(JSONValue.object(try await tuiFlood()).serialized())
            default: throw CLIError("unknown scenario \(s): use chat, idle, slow, tui or all")
            }
        }
    }

    func startServer(perAddressLimit: Int? = 0, fileLimit: Int? = nil, broadcastBudget: Double? = nil) throws -> ServerProcess {
        var extra: [String] = []
        if !legacyServer, let perAddressLimit { extra = ["--max-connections-per-address", String(perAddressLimit)] }
        if !legacyServer, let broadcastBudget { extra += ["--broadcast-budget", String(Int(broadcastBudget))] }
        return try ServerProcess.start(rateLimit: 100, executable: serverBinary, extraArguments: extra,
                                       fileLimit: fileLimit)
    }

    /// Logs `name` in over a raw socket; returns after the server's first user list naming it.
    func login(_ port: Int, _ name: String, receiveBuffer: Int32? = nil, source: String? = nil) async throws -> RawSocket {
        let s = try RawSocket(port: port, source: source, receiveBuffer: receiveBuffer)
        try await s.upgrade()
        s.write(RawSocket.text(#"{"type":"username","name":"\#(name)"}"#))
        let (bytes, _) = await s.read(for: 5) { String(decoding: $0, as: UTF8.self).contains(#""\#(name)""#) }
        guard String(decoding: bytes, as: UTF8.self).contains("userlist") || receiveBuffer != nil else {
            throw CLIError("bench hostile: \(name) could not log in")
        }
        return s
    }

    /// Server CPU per chat line of `text` (sender and one reader logged in).
    private func chatCost(text: String, kind: String) async throws -> JSONObject {
        // Every line is delivered (no fan-out budget in the way): this measures the work per line.
        let server = try startServer(broadcastBudget: 1e12)
        defer { server.stop() }
        let sender = try await login(server.port, "sender")
        let reader = try await login(server.port, "reader")
        defer { sender.close(); reader.close() }
        let frame = RawSocket.text(SignalMessage.chat(ChatMessage(text: text)).text)
        try await Task.sleep(for: .milliseconds(300))
        let cpuBefore = server.cpuSeconds()
        let start = MonotonicClock.now()
        // Both read what comes back (their own copies too), so nobody's queue fills.
        let drain = Task { [lines] in
            var got = 0
            var tail: [UInt8] = []
            let marker = Array(#"{"type":"message""#.utf8)
            while got < lines, MonotonicClock.now() - start < 60_000_000_000 {
                let (b, closed) = await reader.read(for: 0.2)
                let window = tail + b
                got += Self.occurrences(of: marker, in: window)
                tail = Array(window.suffix(marker.count - 1))
                _ = await sender.read(for: 0.001)
                if closed { break }
            }
            return got
        }
        for _ in 0..<lines {
            sender.write(frame)
            try await Task.sleep(for: .milliseconds(50))  // 20 lines/s: under the rate limit
        }
        let received = await drain.value
        let seconds = Double(MonotonicClock.now() - start) / 1e9
        let cpu = server.cpuSeconds() - cpuBefore
        return ["bench": "hostile", "scenario": "chat", "line": .string(kind), "line_bytes": .int(text.utf8.count),
                "lines": .int(lines), "lines_received": .int(received),
                "server_cpu_ms_per_line": .number(String(format: "%.2f", cpu * 1000 / Double(lines))),
                "seconds": .number(String(format: "%.1f", seconds))]
    }

    /// `connections` idle TCP connections from 127.0.0.2 while /healthz is asked from 127.0.0.1.
    private func idleFlood(perAddressLimit: Int?) async throws -> JSONObject {
        let server = try startServer(perAddressLimit: perAddressLimit, fileLimit: serverFileLimit)
        defer { server.stop() }
        let fdsBefore = server.openFiles()
        var holders: [(Process, Pipe)] = []
        var opened = 0
        var remaining = connections
        let openStart = MonotonicClock.now()
        while remaining > 0 {
            let n = min(remaining, Self.connectionsPerHolder)
            remaining -= n
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            p.arguments = ["bench", "hostile", "--hold-connections", String(n), "--hold-port", String(server.port)]
            let out = Pipe()
            p.standardOutput = out
            p.standardInput = Pipe()  // closed when we are done: the holder exits
            try p.run()
            holders.append((p, out))
        }
        // All at once; each prints how many it opened once it has tried them all.
        for (_, out) in holders {
            let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            opened += Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        let openSeconds = Double(MonotonicClock.now() - openStart) / 1e9
        defer { for (p, _) in holders { p.terminate(); p.waitUntilExit() } }
        let connectFailures = connections - opened
        try await Task.sleep(for: .seconds(1))
        let fdsHeld = server.openFiles()
        let cpuBefore = server.cpuSeconds()
        let healthz = await healthzLatencies(port: server.port, count: 10)
        let cpuWindow = 3.0
        try await Task.sleep(for: .seconds(cpuWindow))
        let cpu = (server.cpuSeconds() - cpuBefore) / (cpuWindow + healthz.seconds)
        // After the upgrade deadline (5 s by default) the idle ones are gone.
        try await Task.sleep(for: .seconds(3))
        let fdsLater = server.openFiles()
        let ok = healthz.ms.filter { $0 >= 0 }.sorted()
        return ["bench": "hostile", "scenario": "idle-tcp",
                "per_address_limit": perAddressLimit.map { .int($0) } ?? .string("none (legacy server)"),
                "connections_opened": .int(opened), "connect_failures": .int(connectFailures),
                "open_seconds": .number(String(format: "%.1f", openSeconds)),
                "server_fds_before": .int(fdsBefore), "server_fds_after_1s": .int(fdsHeld),
                "server_fds_after_9s": .int(fdsLater),
                "healthz_ok": .int(ok.count), "healthz_failed": .int(healthz.ms.count - ok.count),
                "healthz_p50_ms": .number(String(format: "%.1f", ok.isEmpty ? -1 : ok[ok.count / 2])),
                "healthz_max_ms": .number(String(format: "%.1f", ok.last ?? -1)),
                "server_cpu_percent": .number(String(format: "%.0f", cpu * 100))]
    }

    /// Holder process: opens `holdConnections` idle connections from 127.0.0.2, prints how many, waits.
    private func hold() async throws {
        var held: [RawSocket] = []
        for _ in 0..<holdConnections {
            if let s = try? RawSocket(port: holdPort, source: "127.0.0.2") { held.append(s) }
        }
        FileHandle.standardOutput.write(Data("\(held.count)\n".utf8))
        // Until the parent closes our stdin (or terminates us).
        while !FileHandle.standardInput.availableData.isEmpty {}
        for s in held { s.close() }
    }

    /// `count` GETs of /healthz, one connection each; -1 for one that got no 200 within 5 s.
    private func healthzLatencies(port: Int, count: Int) async -> (ms: [Double], seconds: Double) {
        var out: [Double] = []
        let begin = MonotonicClock.now()
        for _ in 0..<count {
            let start = MonotonicClock.now()
            guard let s = try? RawSocket(port: port) else { out.append(-1); continue }
            s.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let (bytes, _) = await s.read(for: 5) { String(decoding: $0, as: UTF8.self).contains("\"status\"") }
            s.close()
            let ok = String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 200")
            out.append(ok ? Double(MonotonicClock.now() - start) / 1e6 : -1)
        }
        return (out, Double(MonotonicClock.now() - begin) / 1e9)
    }

    /// A logged-in client that stops reading while another sends it 32 KB messages at 90/s: time until it
    /// leaves the sender's user list (60 s at most).
    private func slowReader() async throws -> JSONObject {
        let server = try startServer()
        defer { server.stop() }
        let alice = try await login(server.port, "alice")
        let stalled = try await login(server.port, "stalled", receiveBuffer: 4096)
        defer { alice.close(); stalled.close() }
        _ = await alice.read(for: 0.5)
        let chunk = String(repeating: "x", count: 32 * 1024)
        let frame = RawSocket.text(#"{"type":"bulk","target":"stalled","data":"\#(chunk)"}"#)
        let start = MonotonicClock.now()
        var left: Double?
        var tail: [UInt8] = []
        while left == nil, MonotonicClock.now() - start < 60_000_000_000 {
            alice.write(frame)
            let (b, _) = await alice.read(for: 0.011)
            tail = Array((tail + b).suffix(4096))
            if String(decoding: tail, as: UTF8.self).contains(#"{"type":"userlist","users":["alice"]}"#) {
                left = Double(MonotonicClock.now() - start) / 1e6
            }
        }
        return ["bench": "hostile", "scenario": "slow-reader", "message_bytes": .int(chunk.count),
                "left_user_list_after_ms": left.map { .number(String(format: "%.0f", $0)) } ?? .string("not within 60 s")]
    }
}

extension BenchHostile {
    static func occurrences(of needle: [UInt8], in hay: [UInt8]) -> Int {
        guard hay.count >= needle.count else { return 0 }
        var n = 0
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] && Array(hay[i..<(i + needle.count)]) == needle {
            n += 1
        }
        return n
    }
}

extension ServerProcess {
    /// Open file descriptors of the server process.
    func openFiles() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count) ?? -1
    }
}
