import ArgumentParser
import Foundation
import Media
import NIOCore
import NIOPosix
import Signaling

/// `tuicall bench server`: N real WebSocket clients against a real `tuicall serve` subprocess on
/// loopback: a login storm, then targeted messages at a fixed aggregate rate. One JSON line.
struct BenchServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Login storm + routed-message throughput and latency of tuicall serve.")

    @Option(help: "Number of WebSocket clients.") var clients = 1000
    @Option(help: "Seconds of targeted traffic after the storm (0: storm and idle memory only).") var duration = 5.0
    @Option(help: "Targeted messages per second, all clients together.") var rate = 50_000.0
    @Option(help: "Connections opened concurrently during the storm.") var connectWindow = 512

    func run() async throws {
        raiseFileLimit()
        let server = try ServerProcess.start(rateLimit: max(100, 4 * rate / Double(max(clients, 1))))
        defer { server.stop() }
        let names = (0..<clients).map { "u\($0)" }
        let tally = BenchTally(finalUserListBytes: SignalMessage.userList(names).text.utf8.count)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)

        // Login storm: everyone connects at once (bounded by the connect window), logs in, and
        // waits for the complete user list.
        let stormStart = MonotonicClock.now()
        var channels: [Channel] = []
        var index = 0
        while index < clients {
            let batch = (index..<min(index + connectWindow, clients)).map {
                BenchConnector.connect(group: group, host: "127.0.0.1", port: server.port, name: names[$0], tally: tally)
            }
            for f in batch { channels.append(try await f.get()) }
            index += batch.count
        }
        try await waitUntil(timeout: 120, "every client to see the full user list") { tally.loggedIn == clients }
        let stormSeconds = Double(MonotonicClock.now() - stormStart) / 1e9
        try await Task.sleep(for: .seconds(1))
        let idleRSS = server.rssMB()

        var routedPerSecond = 0.0, p50 = 0.0, p99 = 0.0, sent = 0
        var serverCPU = 0.0, benchCPU = 0.0  // fractions of one core during the measured window
        if duration > 0 {
            let interval = Double(clients) / rate
            let end = MonotonicClock.now() + UInt64((duration + 1) * 1e9)
            let count = clients
            for (i, ch) in channels.enumerated() {
                let target = "u\((i + 1 + Int.random(in: 0..<max(count - 1, 1))) % count)"
                ch.eventLoop.scheduleRepeatedTask(initialDelay: .nanoseconds(Int64.random(in: 0..<Int64(interval * 1e9))),
                                                  delay: .nanoseconds(Int64(interval * 1e9))) { task in
                    let now = MonotonicClock.now()
                    if now >= end { task.cancel(); return }
                    let text = #"{"type":"bench","target":"\#(target)","t":\#(now)}"#
                    ch.writeAndFlush(BenchClientHandler.textFrame(text, allocator: ch.allocator), promise: nil)
                }
            }
            try await Task.sleep(for: .seconds(1))  // warm-up, not measured
            let before = tally.received
            let cpuBefore = (server.cpuSeconds(), ProcessCPU.ownSeconds())
            tally.setRecording(true)
            try await Task.sleep(for: .seconds(duration))
            tally.setRecording(false)
            serverCPU = (server.cpuSeconds() - cpuBefore.0) / duration
            benchCPU = (ProcessCPU.ownSeconds() - cpuBefore.1) / duration
            routedPerSecond = Double(tally.received - before) / duration
            var lat = tally.takeLatencies()
            lat.sort()
            sent = lat.count
            if !lat.isEmpty {
                p50 = Double(Percentiles.nearestRank(sorted: lat, 0.5) ?? 0) / 1000
                p99 = Double(Percentiles.nearestRank(sorted: lat, 0.99) ?? 0) / 1000
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        let rss = server.rssMB()
        for ch in channels { ch.close(promise: nil) }
        try await group.shutdownGracefully()

        let result: JSONObject = [
            "bench": "server", "connections": .int(clients),
            "login_storm_s": .number(String(format: "%.3f", stormSeconds)),
            "target_msgs_per_s": .number(String(format: "%.0f", duration > 0 ? rate : 0)),
            "routed_msgs_per_s": .number(String(format: "%.0f", routedPerSecond)),
            "latency_samples": .int(sent),
            "p50_ms": .number(String(format: "%.3f", p50)), "p99_ms": .number(String(format: "%.3f", p99)),
            "server_rss_mb_idle": .number(String(format: "%.1f", idleRSS)),
            "server_rss_mb": .number(String(format: "%.1f", rss)),
            // Both processes share this machine's cores: what each used tells where the limit is.
            "server_cpu_percent": .number(String(format: "%.0f", serverCPU * 100)),
            "bench_cpu_percent": .number(String(format: "%.0f", benchCPU * 100)),
            "server_cpu_us_per_msg": .number(String(format: "%.1f", routedPerSecond > 0 ? serverCPU * 1e6 / routedPerSecond : 0)),
        ]
        print(JSONValue.object(result).serialized())
    }

    private func waitUntil(timeout: Double, _ what: String, _ done: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !done() {
            if Date() > deadline { throw CLIError("bench server: timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// Raises the soft open-file limit to the hard limit: thousands of sockets need it.
func raiseFileLimit() {
    var lim = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0, lim.rlim_cur < lim.rlim_max {
        lim.rlim_cur = lim.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
    }
}

/// `tuicall serve --port 0` as a child process, so its memory is measured on its own.
final class ServerProcess {
    let process: Process
    let port: Int

    private init(process: Process, port: Int) { self.process = process; self.port = port }

    /// `extraArguments` go to `tuicall serve`; every client of a bench comes from 127.0.0.1, so the
    /// per-address connection limit is off unless the caller sets one.
    /// `fileLimit` runs it under `prlimit --nofile` (the bench itself may have raised its own limit).
    static func start(rateLimit: Double, executable: String? = nil, extraArguments: [String] = [
        "--max-connections-per-address", "0"], fileLimit: Int? = nil) throws -> ServerProcess {
        let p = Process()
        let binary = URL(fileURLWithPath: executable ?? "/proc/self/exe").resolvingSymlinksInPath()
        let arguments = ["serve", "--port", "0", "--rate-limit", String(Int(rateLimit)),
                         "--log", NSTemporaryDirectory() + "tuicall-bench-server.log"] + extraArguments
        if let fileLimit {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/prlimit")
            p.arguments = ["--nofile=\(fileLimit):\(fileLimit)", binary.path] + arguments
        } else {
            p.executableURL = binary
            p.arguments = arguments
        }
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        var buffer = Data()
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            let text = String(decoding: buffer, as: UTF8.self)
            if let r = text.range(of: #"127\.0\.0\.1:(\d+)/"#, options: .regularExpression) {
                let port = Int(text[r].dropFirst("127.0.0.1:".count).dropLast())!
                return ServerProcess(process: p, port: port)
            }
        }
        p.terminate()
        throw CLIError("bench server: tuicall serve did not report its port")
    }

    /// User + system CPU seconds of the server process so far.
    func cpuSeconds() -> Double { ProcessCPU.seconds(pid: process.processIdentifier) }

    func rssMB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return -1 }
        return kb / 1024
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
