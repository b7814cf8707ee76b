import ArgumentParser
import CallEngine
import Capture
import Benchmarks
import Foundation
import Logging
import Media
import SignalingClient
import Synchronization

/// `tuicall headless`: makes or answers one call without a UI (scripts, CI, browser interop), then writes
/// its statistics as JSON.
struct HeadlessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "headless",
        abstract: "Make (--call) or answer one call without a UI and write its statistics as JSON.",
        discussion: "Exits when the call ends, after --duration (hanging up first), or on SIGINT/SIGTERM; "
            + "the statistics file is written in every case. Exit status 1 when the call never connected or "
            + "received no media.")

    static let defaultServer = "ws://127.0.0.1:6503"
    static let defaultName = "headless"
    /// How long `--call` waits for the peer to appear in the user list.
    static let peerWaitSeconds = 15.0
    /// How often the main loop checks the call, the clock and signals.
    static let pollInterval = Duration.milliseconds(50)
    /// `--stats-every`: one line a second.
    static let defaultStatsEvery = 1.0

    @Option(help: "Signaling server URL (ws:// or wss://).") var server = defaultServer
    @Option(help: "Our user name on the server.") var name = defaultName
    @Option(name: .customLong("call"),
            help: ArgumentHelp("Call this user; without it, incoming calls are answered automatically.", valueName: "peer"))
    var peer: String?
    @Option(help: "Hang up and exit after this many seconds.") var duration: Double?
    @Option(help: "Video to send: test, none, or a .y4m file.") var camera = CaptureOptions.test
    @Option(help: "Audio to send: test, none, or a .wav file.") var mic = CaptureOptions.test
    @Option(help: "Size of the test pattern or camera picture, WIDTHxHEIGHT.")
    var videoSize = "\(CaptureOptions.defaultWidth)x\(CaptureOptions.defaultHeight)"
    @Option(help: "Frame rate of the test pattern or camera.") var fps = CaptureOptions.defaultFps
    @Option(help: "Write received video to this .y4m file.") var recordVideo: String?
    @Option(help: "Write received audio to this .wav file.") var recordAudio: String?
    @Option(help: "Write the final call statistics to this JSON file.") var statsJson: String?
    @Option(help: "Append one JSON line of statistics (with unixMs) to this file every --stats-every seconds.")
    var statsLog: String?
    @Option(help: "Interval of --stats-log lines in seconds.") var statsEvery = defaultStatsEvery
    @Option(help: "Write the log to this file.") var log: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"
    private var level: Logger.Level? { Logger.Level(rawValue: logLevel) }
    @Option(help: "Access token for a server started with --token-file.") var token: String?
    @Option(help: "How long a lost media path may stay lost (ICE restarting) before the call ends, in seconds.")
    var iceRestartTimeout = CallOptions.defaultIceRestartTimeoutSeconds
    @OptionGroup var ice: IceOptions

    func validate() throws {
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
        if let problem = SignalingClient.urlProblem(server) { throw ValidationError(problem) }
        if SizeOption.parse(videoSize) == nil { throw ValidationError("--video-size must look like 640x480") }
        if !(iceRestartTimeout > 0) { throw ValidationError("--ice-restart-timeout must be a positive number of seconds") }
        if level == nil { throw ValidationError("unknown log level \(logLevel)") }
        if !(statsEvery >= 0.05) { throw ValidationError("--stats-every must be at least 0.05 seconds") }
    }

    func run() async throws {
        if let log { try LogSetup.bootstrap(path: log, level: level ?? .info) }
        let logger = Logger(label: "tuicall.headless")
        let (camera, mic, fps) = (camera, mic, fps)
        let (width, height) = SizeOption.parse(videoSize) ?? (CaptureOptions.defaultWidth, CaptureOptions.defaultHeight)
        // Open once up front so a bad file, device, size or rate fails before we connect.
        let sendsVideo = try CaptureOptions.videoSource(spec: camera, width: width, height: height, fps: fps) != nil
        let sendsAudio = try CaptureOptions.audioSource(spec: mic) != nil
        let videoSinks = try recordVideo.map { [try CaptureOptions.videoSink(path: $0)] } ?? []
        let audioSinks = try recordAudio.map { path -> [any AudioSink] in
            guard path.lowercased().hasSuffix(".wav") else {
                throw CLIError("cannot record audio to '\(path)': only .wav files are written; name it e.g. received.wav")
            }
            return try CaptureOptions.audioSink(spec: path).map { [$0] } ?? []
        } ?? []

        let client = SignalingClient(url: server, name: name, logger: logger, token: token)
        let makeVideo: @Sendable () throws -> (any VideoSource)? = {
            try CaptureOptions.videoSource(spec: camera, width: width, height: height, fps: fps)
        }
        let makeAudio: @Sendable () throws -> (any AudioSource)? = { try CaptureOptions.audioSource(spec: mic) }
        // Decoding the peer's test-pattern stamp costs a little per frame: only when the figures are asked for.
        let latency = statsJson == nil ? nil : TestPatternLatencyProbe()
        let options = CallOptions(autoAnswer: peer == nil, videoSource: sendsVideo ? makeVideo : nil,
                                  audioSource: sendsAudio ? makeAudio : nil,
                                  videoSinks: videoSinks + (latency.map { [$0] } ?? []), audioSinks: audioSinks,
                                  ice: try ice.configuration(), iceRestartTimeoutSeconds: iceRestartTimeout)
        let call = Call(signaling: client, options: options, logger: logger)
        let pump = Task { await call.pump(client.events) }
        let stop = StopFlag()
        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.request("signal \(sig)") }
            source.resume()
            return source
        }
        client.start()

        let statsLines = try statsLog.map { try StatsLog(path: $0) }
        var nextSample = Date()
        let start = Date()
        func timeUp() -> Bool { duration.map { Date().timeIntervalSince(start) >= $0 } ?? false }
        var placed = peer == nil
        while true {
            if stop.reason != nil || timeUp() { break }
            if case .ended = call.state { break }
            if let statsLines, Date() >= nextSample {
                var sample = call.stats()
                latency?.fill(&sample)
                statsLines.append(sample)
                nextSample = nextSample.addingTimeInterval(statsEvery)
                if nextSample < Date() { nextSample = Date().addingTimeInterval(statsEvery) }
            }
            if !placed, let peer, client.isLoggedIn {
                if client.users.contains(peer) {
                    do { try call.call(peer); placed = true } catch {
                        logger.error("cannot call \(peer): \(error)")
                        FileHandle.standardError.write(Data("tuicall headless: cannot call \(peer): \(error)\n".utf8))
                        break
                    }
                } else if Date().timeIntervalSince(start) >= Self.peerWaitSeconds {
                    FileHandle.standardError.write(Data("tuicall headless: \(peer) is not on \(server)\n".utf8))
                    break
                }
            }
            try? await Task.sleep(for: Self.pollInterval)
        }
        if call.state.peer != nil {
            call.hangUp()
            // Let the hang-up reach the server before the connection closes.
            try? await Task.sleep(for: .milliseconds(200))
        }
        var stats = call.stats()
        latency?.fill(&stats)
        statsLines?.append(stats)
        for s in signals { s.cancel() }
        for s in videoSinks { s.close() }
        for s in audioSinks { s.close() }
        await client.stop()
        pump.cancel()
        if let statsJson { try Self.write(stats, to: statsJson) }
        logger.info("headless call ended: \(stats.endReason ?? stop.reason ?? "not connected")")
        if !stats.connected || (stats.framesDecoded == 0 && stats.audioPacketsReceived == 0) { throw ExitCode(1) }
    }

    static func write(_ stats: CallEngine.CallStats, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do { try encoder.encode(stats).write(to: URL(fileURLWithPath: path)) } catch {
            throw CLIError("cannot write statistics to \(path): \(error.localizedDescription)")
        }
    }
}

/// `--stats-log`: one compact JSON object per line, `{"unixMs": …, "stats": {…CallStats}}`.
private struct StatsLog {
    private struct Line: Encodable {
        let unixMs: Int64
        let stats: CallEngine.CallStats
    }
    let handle: FileHandle

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path)
        else { throw CLIError("cannot write statistics to \(path)") }
        self.handle = handle
    }

    func append(_ stats: CallEngine.CallStats) {
        let line = Line(unixMs: Int64(Date().timeIntervalSince1970 * 1000), stats: stats)
        guard let data = try? JSONEncoder().encode(line) else { return }
        handle.write(data + Data("\n".utf8))
    }
}

/// Set once by a signal handler, read by the main loop.
private final class StopFlag: Sendable {
    private let state = Mutex<String?>(nil)
    func request(_ why: String) { state.withLock { $0 = $0 ?? why } }
    var reason: String? { state.withLock { $0 } }
}
