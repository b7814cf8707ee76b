import ArgumentParser
import BrowserDriver
import Foundation
import Media
import Signaling

/// `tuicall bench browser`: calls between `tuicall headless` and headless Chromium (tuicall's web client)
/// through a real `tuicall serve` on loopback, in one run: call setup (invite → first decoded remote frame)
/// in every direction, then CPU per side of a 640x480 call for tuicall ↔ tuicall, tuicall ↔ Chromium and
/// Chromium ↔ Chromium. One JSON line per figure.
struct BenchBrowser: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "browser",
        abstract: "Setup time and CPU per side of calls with headless Chromium (needs chromium; see scripts/bootstrap --test).")

    @Option(help: "Setup measurements per direction.") var runs = 5
    @Option(help: "Seconds of each CPU measurement.") var duration = 30.0
    @Option(help: "Frame rate of both sides' camera (tuicall's test pattern; Chromium's fake camera, 640x480).")
    var fps = 30.0
    @Option(help: "Seconds of idle Chromium measured first (its baseline CPU).") var idleSeconds = 5.0
    @Option(help: "Keep every tuicall headless log and stats file in this directory (default: a temporary one, removed).")
    var logDir: String?

    func validate() throws {
        guard runs >= 1, duration >= 1, fps >= 1, fps <= 60, idleSeconds >= 0 else {
            throw ValidationError("--runs ≥ 1, --duration ≥ 1, --fps from 1 to 60, --idle-seconds ≥ 0")
        }
    }

    func run() async throws {
        let directory = logDir ?? NSTemporaryDirectory() + "tuicall-bench-browser-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let server = try ServerProcess.start(rateLimit: 100)
        defer { server.stop() }
        let chromiumFlags = ["--use-fake-device-for-media-stream=fps=\(Int(fps))"]
        let first = try await Browser.launch(extraArguments: chromiumFlags)
        defer { first.close() }
        let ctx = Context(port: server.port, fps: fps, directory: directory)
        let web = try await WebPeer.open(first, port: server.port, name: "web")

        try await Task.sleep(for: .seconds(1))
        let idleStart = first.process.cpuSeconds()
        try await Task.sleep(for: .seconds(idleSeconds))
        if idleSeconds > 0 {
            emit(["scenario": "idle", "side": "chromium", "seconds": .number(String(idleSeconds)),
                  "cpuPercent": percent(first.process.cpuSeconds() - idleStart, idleSeconds)])
        }

        try await setupRuns("tuicall->tuicall") { try await ctx.tuicallCallsTuicall(web, run: $0) }
        try await setupRuns("tuicall->chromium") { try await ctx.tuicallCallsBrowser(web, run: $0) }
        try await setupRuns("chromium->tuicall") { try await ctx.browserCallsTuicall(web, run: $0) }

        try await cpuTuicallPair(ctx, web: web)
        try await cpuTuicallAndBrowser(ctx, web: web)

        let second = try await Browser.launch(extraArguments: chromiumFlags)
        defer { second.close() }
        let web2 = try await WebPeer.open(second, port: server.port, name: "web2")
        try await web.waitUntilListed("web2")
        try await setupRuns("chromium->chromium") { _ in try await ctx.browserCallsBrowser(web, web2) }
        try await cpuBrowserPair(web, web2)
        if logDir == nil { try? FileManager.default.removeItem(atPath: directory) }
    }

    // MARK: setup

    /// Runs one direction `runs` times; one line per direction with every run and the median.
    private func setupRuns(_ direction: String, _ one: (Int) async throws -> SetupSample) async throws {
        var samples: [SetupSample] = []
        for run in 1...runs { samples.append(try await one(run)) }
        var line: JSONObject = ["scenario": "setup", "direction": .string(direction)]
        line["setupMs"] = .array(samples.map { .number(String($0.setupMs)) })
        line["setupMedianMs"] = .number(String(Percentiles.median(samples.map(\.setupMs))))
        for key in samples[0].parts.keys.sorted() {
            line[key + "MedianMs"] = .number(String(Percentiles.median(samples.compactMap { $0.parts[key] })))
        }
        emit(line)
    }

    // MARK: CPU

    private func cpuTuicallPair(_ ctx: Context, web: WebPeer) async throws {
        let callee = try ctx.headless("cpu-b", duration: duration + 30)
        try await web.waitUntilListed(callee.name)
        let caller = try ctx.headless("cpu-a", call: callee.name, duration: duration + ctx.warmUp + 1)
        try await Task.sleep(for: .seconds(ctx.warmUp))
        let before = (caller.cpuSeconds(), callee.cpuSeconds())
        try await Task.sleep(for: .seconds(duration))
        let after = (caller.cpuSeconds(), callee.cpuSeconds())
        let (a, b) = (try await caller.finish(), try await callee.finish())
        for (side, cpu, stats) in [("caller", after.0 - before.0, a), ("callee", after.1 - before.1, b)] {
            emit(["scenario": "cpu", "call": "tuicall<->tuicall", "side": .string("tuicall " + side),
                  "cpuPercent": percent(cpu, duration), "framesDecoded": stats["framesDecoded"] ?? .null,
                  "resolutionReceived": resolution(stats), "setupMs": stats["setupTimeMs"] ?? .null])
        }
    }

    private func cpuTuicallAndBrowser(_ ctx: Context, web: WebPeer) async throws {
        try await web.autoAccept()
        let bot = try ctx.headless("cpu-t", call: web.name, duration: duration + 60)
        _ = try await web.statsWhenFlowing()
        try await Task.sleep(for: .seconds(ctx.warmUp - 1))
        let before = (bot.cpuSeconds(), web.browser.process.cpuSeconds(), try await web.stats())
        try await Task.sleep(for: .seconds(duration))
        let after = (bot.cpuSeconds(), web.browser.process.cpuSeconds(), try await web.stats())
        bot.process.interrupt()  // SIGINT: headless hangs up and writes its stats
        let stats = try await bot.finish()
        try await web.waitIdle()
        let (received, sent) = fpsPair(before.2, after.2)
        emit(["scenario": "cpu", "call": "tuicall<->chromium", "side": "tuicall",
              "cpuPercent": percent(after.0 - before.0, duration), "fpsReceived": sent, "fpsSent": received,
              "resolutionReceived": resolution(stats)])
        emit(["scenario": "cpu", "call": "tuicall<->chromium", "side": "chromium",
              "cpuPercent": percent(after.1 - before.1, duration), "fpsReceived": received, "fpsSent": sent,
              "resolutionReceived": browserResolution(after.2)])
    }

    private func cpuBrowserPair(_ caller: WebPeer, _ callee: WebPeer) async throws {
        try await callee.autoAccept()
        try await caller.call(callee.name)
        _ = try await caller.statsWhenFlowing()
        _ = try await callee.statsWhenFlowing()
        try await Task.sleep(for: .seconds(2))
        let peers = [caller, callee]
        var before: [(Double, JSONObject)] = []
        for p in peers { before.append((p.browser.process.cpuSeconds(), try await p.stats())) }
        try await Task.sleep(for: .seconds(duration))
        for (p, b) in zip(peers, before) {
            let cpu = p.browser.process.cpuSeconds() - b.0
            let stats = try await p.stats()
            let (received, sent) = fpsPair(b.1, stats)
            emit(["scenario": "cpu", "call": "chromium<->chromium", "side": .string("chromium " + p.name),
                  "cpuPercent": percent(cpu, duration), "fpsReceived": received, "fpsSent": sent,
                  "resolutionReceived": browserResolution(stats)])
        }
        try await caller.hangUpAndWaitIdle()
        try await callee.waitIdle()
    }

    /// Frames per second decoded and encoded by a page between two stats snapshots.
    private func fpsPair(_ before: JSONObject, _ after: JSONObject) -> (received: JSONValue, sent: JSONValue) {
        let decoded = field(after, "inboundVideo", "framesDecoded") - field(before, "inboundVideo", "framesDecoded")
        let encoded = field(after, "outboundVideo", "framesEncoded") - field(before, "outboundVideo", "framesEncoded")
        return (.number(String(round1(decoded / duration))), .number(String(round1(encoded / duration))))
    }

    private func browserResolution(_ stats: JSONObject) -> JSONValue {
        .string("\(Int(field(stats, "inboundVideo", "frameWidth")))x\(Int(field(stats, "inboundVideo", "frameHeight")))")
    }

    private func resolution(_ stats: JSONObject) -> JSONValue {
        .string("\(stats["width"]?.intValue ?? 0)x\(stats["height"]?.intValue ?? 0)")
    }

    private func percent(_ cpu: Double, _ seconds: Double) -> JSONValue { .number(String(round1(100 * cpu / seconds))) }

    private func emit(_ fields: JSONObject) {
        var line: JSONObject = ["bench": "browser"]
        line.members += fields.members
        // Unbuffered: a long run shows each figure as soon as it is measured.
        FileHandle.standardOutput.write(Data((JSONValue.object(line).serialized() + "\n").utf8))
    }
}

func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }

