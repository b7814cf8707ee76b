import BrowserDriver
import CallEngine
import Foundation
import NetworkEmulator
import Signaling

/// What one side of a scenario call has received so far, as both kinds of peer report it.
struct ReceiverSnapshot {
    var unixMs: Double
    var framesDecoded: Double
    /// Audio: concealed and all played-out units (tuicall: 20 ms frames; Chromium: samples).
    var audioConcealed: Double
    var audioTotal: Double
    var longFreezeCount: Double
    var longFreezesMs: Double
    var longFreezes: [FrameGap]
    /// Test-pattern glass-to-glass latency (tuicall receiving tuicall only; Chromium's fake camera has no stamp).
    var latencyP50Ms: Double?
    var latencyP95Ms: Double?
    var resolution: String
}

/// One peer of a scenario call: a `tuicall headless` or a Chromium page on the web client.
protocol ScenarioSide: AnyObject {
    var name: String { get }
    var kind: String { get }
    func snapshot() async throws -> ReceiverSnapshot
    /// Waits until the side decodes the peer's video and audio.
    func waitForMedia(timeout: Double) async throws
    /// Ends this side's call and lets it go (again: nothing).
    func hangUp() async
}

/// `tuicall headless` behind its own emulator relay, read through its `--stats-log`.
final class TuicallSide: ScenarioSide {
    let child: HeadlessChild
    let kind = "tuicall"
    private let statsLog: String
    var name: String { child.name }

    /// `--stats-every` of the scenario peers: snapshots are at most this old.
    static let statsEvery = 0.25

    init(_ ctx: Context, name: String, call peer: String?, turn: String, seconds: Double) throws {
        statsLog = "\(ctx.directory)/\(name)-stats.jsonl"
        child = try ctx.headless(name, call: peer, duration: seconds, extraArguments: [
            "--ice-server", turn, "--turn-user", CoturnProcess.user, "--turn-pass", CoturnProcess.password,
            "--relay-only", "--stats-log", statsLog, "--stats-every", String(Self.statsEvery)])
    }

    private struct Line: Decodable {
        let unixMs: Int64
        let stats: CallStats
    }

    /// The newest complete line; reads only the file's tail (a line is a few kB, the log grows all call long).
    private func last() -> Line? {
        guard let file = FileHandle(forReadingAtPath: statsLog) else { return nil }
        defer { try? file.close() }
        guard let size = try? file.seekToEnd() else { return nil }
        try? file.seek(toOffset: size > Self.tailBytes ? size - Self.tailBytes : 0)
        guard let tail = try? file.readToEnd(),
              let line = tail.split(separator: UInt8(ascii: "\n")).last else { return nil }
        return try? JSONDecoder().decode(Line.self, from: Data(line))
    }

    private static let tailBytes: UInt64 = 256 * 1024

    func waitForMedia(timeout: Double) async throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = last()?.stats, s.framesDecoded > 0, s.audioFramesPlayed > 0 { return }
            guard child.process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CLIError("bench scenarios: tuicall headless \(name) received no video and audio (log: \(statsLog))")
    }

    func snapshot() async throws -> ReceiverSnapshot {
        guard let line = last() else { throw CLIError("bench scenarios: \(name) wrote no statistics to \(statsLog)") }
        let s = line.stats
        let video = s.media.inbound("video"), audio = s.media.inbound("audio")
        let played = Double((audio?.audioFramesPlayed ?? 0) + (audio?.audioFramesFromFec ?? 0))
        let concealed = Double(audio?.audioFramesConcealed ?? 0)
        return ReceiverSnapshot(
            unixMs: Double(line.unixMs), framesDecoded: Double(s.framesDecoded),
            audioConcealed: concealed, audioTotal: played + concealed,
            longFreezeCount: Double(video?.longFreezeCount ?? 0), longFreezesMs: video?.longFreezesDurationMs ?? 0,
            longFreezes: video?.longFreezes ?? [], latencyP50Ms: s.latencyP50Ms, latencyP95Ms: s.latencyP95Ms,
            resolution: "\(s.width)x\(s.height)")
    }

    func hangUp() async {
        if child.process.isRunning { child.process.interrupt() }  // SIGINT: headless hangs up and exits
        _ = try? await child.finish()
    }
}

/// A Chromium page on tuicall's web client with relay candidates only.
final class ChromiumSide: ScenarioSide {
    let peer: WebPeer
    let kind = "chromium"
    var name: String { peer.name }

    private init(_ peer: WebPeer) { self.peer = peer }

    static func open(_ browser: Browser, port: Int, name: String, turn: String) async throws -> ChromiumSide {
        func encoded(_ v: String) -> String { v.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? v }
        let query = "ice=\(encoded(turn))&user=\(encoded(CoturnProcess.user))&pass=\(encoded(CoturnProcess.password))"
            + "&policy=relay"
        return ChromiumSide(try await WebPeer.open(browser, port: port, name: name, query: query))
    }

    func waitForMedia(timeout: Double) async throws { _ = try await peer.statsWhenFlowing(timeout: timeout) }

    func snapshot() async throws -> ReceiverSnapshot {
        let s = try await peer.stats()
        let freezes = s["longFreezes"]?.objectValue ?? [:]
        let recent = (freezes["recent"]?.arrayValue ?? []).compactMap { v -> FrameGap? in
            guard let o = v.objectValue, let end = o["endUnixMs"]?.doubleValue, let ms = o["durationMs"]?.doubleValue
            else { return nil }
            return FrameGap(endUnixMs: Int64(end), durationMs: ms)
        }
        return ReceiverSnapshot(
            unixMs: Date().timeIntervalSince1970 * 1000, framesDecoded: field(s, "inboundVideo", "framesDecoded"),
            audioConcealed: field(s, "inboundAudio", "concealedSamples"),
            audioTotal: field(s, "inboundAudio", "totalSamplesReceived"),
            longFreezeCount: freezes["count"]?.doubleValue ?? 0, longFreezesMs: freezes["totalMs"]?.doubleValue ?? 0,
            longFreezes: recent, latencyP50Ms: nil, latencyP95Ms: nil,
            resolution: "\(Int(field(s, "inboundVideo", "frameWidth")))x\(Int(field(s, "inboundVideo", "frameHeight")))")
    }

    private var closed = false

    func hangUp() async {
        guard !closed else { return }
        closed = true
        _ = try? await peer.hangUpAndWaitIdle()
        await peer.page.close()
    }
}
