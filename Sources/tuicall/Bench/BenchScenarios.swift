import ArgumentParser
import BrowserDriver
import Foundation
import NetworkEmulator
import Signaling

/// `tuicall bench scenarios`: the four network conditions, each for tuicall → tuicall, tuicall →
/// Chromium, Chromium → tuicall and Chromium → Chromium, in one run through the same emulator: every peer
/// uses relay candidates only, through its own `UdpRelay` in front of one coturn, so a relay's uplink is
/// exactly one direction of the call. One JSON line per scenario, call and direction; `--markdown` writes
/// the side-by-side table.
struct BenchScenarios: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenarios",
        abstract: "Calls under loss, a bandwidth cap, burst loss and a blackout, tuicall and Chromium side by side "
            + "(needs coturn and chromium; see scripts/bootstrap --test).")

    @Option(help: "Seconds each scenario is measured.") var seconds = 60.0
    @Option(help: "Seconds of clean call before each scenario starts (encoders and estimators ramp up).")
    var warmUp = 10.0
    @Option(help: "Scenarios to run, comma-separated: \(NetworkScenario.allCases.map(\.rawValue).joined(separator: ",")).")
    var scenarios = NetworkScenario.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Calls to run, comma-separated: tt (tuicall → tuicall), tc, ct, cc (c: Chromium; caller first).")
    var pairs = CallPair.allCases.map(\.rawValue).joined(separator: ",")
    @Option(help: "Frame rate of every camera (tuicall's test pattern, Chromium's fake camera, 640x480).") var fps = 30.0
    @Option(help: "Write the side-by-side table (Markdown) to this file.") var markdown: String?
    @Option(help: "Keep every tuicall headless log and stats file in this directory (default: a temporary one, removed).")
    var logDir: String?

    /// How long a call may take to carry video and audio both ways.
    static let mediaTimeout = 30.0

    func validate() throws {
        guard seconds >= 6, warmUp >= 0, fps >= 1, fps <= 60 else {
            throw ValidationError("--seconds ≥ 6, --warm-up ≥ 0, --fps from 1 to 60")
        }
        _ = try chosen()
    }

    private func chosen() throws -> ([NetworkScenario], [CallPair]) {
        func list<T: RawRepresentable>(_ s: String, _ what: String) throws -> [T] where T.RawValue == String {
            try s.split(separator: ",").map {
                guard let v = T(rawValue: String($0)) else { throw ValidationError("unknown \(what) \($0)") }
                return v
            }
        }
        return (try list(scenarios, "scenario"), try list(pairs, "call"))
    }

    func run() async throws {
        guard CoturnProcess.isInstalled else { throw CLIError("\(TurnServerMissing())") }
        let (scenarioList, pairList) = try chosen()
        guard let host = Loopback.firstExternalIPv4() else {
            throw CLIError("bench scenarios: no non-loopback IPv4 address; browsers and tuicall gather no loopback "
                           + "candidates, so they cannot reach the emulator")
        }
        let directory = logDir ?? NSTemporaryDirectory() + "tuicall-bench-scenarios-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard let coturn = try CoturnProcess.start() else { throw CLIError("bench scenarios: coturn did not start") }
        defer { coturn.stop() }
        let server = try ServerProcess.start(rateLimit: 100)
        defer { server.stop() }
        let flags = ["--use-fake-device-for-media-stream=fps=\(Int(fps))"]
        let browserCount = pairList.contains(.cc) ? 2 : pairList.contains(where: { $0 != .tt }) ? 1 : 0
        var browsers: [Browser] = []
        defer { for b in browsers { b.close() } }
        for _ in 0..<browserCount { browsers.append(try await Browser.launch(extraArguments: flags)) }
        let runner = ScenarioCall(ctx: Context(port: server.port, fps: fps, directory: directory),
                                  turnHost: host, turnPort: coturn.port, browsers: browsers, window: seconds, warmUp: warmUp)
        var rows: [JSONObject] = []
        for scenario in scenarioList {
            for pair in pairList {
                for line in try await runner.run(scenario, pair) {
                    var out: JSONObject = ["bench": "scenarios"]
                    out.members += line.members
                    FileHandle.standardOutput.write(Data((JSONValue.object(out).serialized() + "\n").utf8))
                    rows.append(line)
                }
            }
        }
        if let markdown {
            let table = ([ScenarioTable.header] + rows.map(ScenarioTable.row)).joined(separator: "\n") + "\n"
            try table.write(toFile: markdown, atomically: true, encoding: .utf8)
        }
        if logDir == nil { try? FileManager.default.removeItem(atPath: directory) }
    }
}

/// One scenario call: two relays, the two peers, warm-up, the timeline, and the figures of both directions.
struct ScenarioCall {
    let ctx: Context
    /// Where the relays listen (peers' TURN server address).
    let turnHost: String
    let turnPort: UInt16
    let browsers: [Browser]
    let window: Double
    let warmUp: Double

    func run(_ scenario: NetworkScenario, _ pair: CallPair) async throws -> [JSONObject] {
        let relays = [try UdpRelay(upstreamPort: turnPort, host: turnHost), try UdpRelay(upstreamPort: turnPort, host: turnHost)]
        defer { for r in relays { r.stop() } }
        let names = ["\(scenario.rawValue)-\(pair.rawValue)-a", "\(scenario.rawValue)-\(pair.rawValue)-b"]
        let turn = relays.map { "turn:\($0.host):\($0.port)" }
        let lifetime = warmUp + window + BenchScenarios.mediaTimeout + 30
        let callee = try await side(pair.callee, names[1], call: nil, turn: turn[1], browser: 1, lifetime)
        var caller: (any ScenarioSide)?
        do {
            if let web = callee as? ChromiumSide { try await web.peer.autoAccept() }
            if pair.caller == "tuicall" {
                caller = try await side("tuicall", names[0], call: names[1], turn: turn[0], browser: 0, lifetime)
            } else {
                let web = try await ChromiumSide.open(browsers[0], port: ctx.port, name: names[0], turn: turn[0])
                caller = web
                try await web.peer.waitUntilListed(names[1])
                try await web.peer.call(names[1])
            }
            let lines = try await measure(scenario, pair, caller!, callee, relays)
            await caller?.hangUp()
            await callee.hangUp()
            return lines
        } catch {
            await caller?.hangUp()
            await callee.hangUp()
            throw error
        }
    }

    /// Warm-up, the window with its timeline, and both directions' figures.
    private func measure(_ scenario: NetworkScenario, _ pair: CallPair, _ caller: any ScenarioSide,
                         _ callee: any ScenarioSide, _ relays: [UdpRelay]) async throws -> [JSONObject] {
        try await caller.waitForMedia(timeout: BenchScenarios.mediaTimeout)
        try await callee.waitForMedia(timeout: BenchScenarios.mediaTimeout)
        try await Task.sleep(for: .seconds(warmUp))

        let timeline = scenario.timeline(window: window)
        let start = Date()
        let a = (try await caller.snapshot(), try await callee.snapshot())
        var uplinks: [[UplinkSample]] = [[], []]
        var events: [Double] = []
        var nextChange = 0, nextSample = 0.0
        while true {
            let t = Date().timeIntervalSince(start)
            if nextChange < timeline.count, t >= timeline[nextChange].at {
                for r in relays { r.setProfiles(uplink: timeline[nextChange].profile, downlink: .clean) }
                if nextChange > 0 { events.append(Date().timeIntervalSince1970 * 1000) }
                nextChange += 1
            }
            if t >= nextSample {
                for (i, r) in relays.enumerated() { uplinks[i].append(UplinkSample(t: t, stats: r.stats.uplink)) }
                nextSample += 1
            }
            if t >= window { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let b = (try await caller.snapshot(), try await callee.snapshot())
        for r in relays { r.setProfiles(uplink: .clean, downlink: .clean) }

        func line(_ from: any ScenarioSide, _ to: any ScenarioSide, _ a: ReceiverSnapshot, _ b: ReceiverSnapshot,
                  _ uplink: [UplinkSample]) -> JSONObject {
            let roles = from === caller ? "caller → callee" : "callee → caller"
            var o: JSONObject = ["scenario": .string(scenario.rawValue), "call": .string(pair.title),
                                 "direction": .string("\(from.kind) → \(to.kind) (\(roles))")]
            o.members += DirectionFigures(scenario: scenario, window: window, a: a, b: b, uplink: uplink,
                                          events: events).fields.members
            return o
        }
        return [line(caller, callee, a.1, b.1, uplinks[0]), line(callee, caller, a.0, b.0, uplinks[1])]
    }

    private func side(_ kind: String, _ name: String, call peer: String?, turn: String, browser: Int,
                      _ lifetime: Double) async throws -> any ScenarioSide {
        if kind == "tuicall" { return try TuicallSide(ctx, name: name, call: peer, turn: turn, seconds: lifetime) }
        return try await ChromiumSide.open(browsers[min(browser, browsers.count - 1)], port: ctx.port, name: name, turn: turn)
    }
}
