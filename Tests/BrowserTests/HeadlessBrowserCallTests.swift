import BrowserDriver
import Capture
import Foundation
import Media
import Signaling
import Testing
import TestSupport

/// `tuicall headless` as a child process with its stats file.
final class HeadlessPeer {
    let process = Process()
    let statsPath: String
    /// Where its stats, log and recordings go.
    let directory: URL

    /// `extra` may name files in `directory` with the placeholder DIR (e.g. "DIR/audio.wav").
    init(port: Int, name: String, duration: Int = 30, extra: [String]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("headless-\(UUID().uuidString)")
        directory = dir
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        statsPath = dir.appendingPathComponent("stats.json").path
        process.executableURL = URL(fileURLWithPath: try TuicallBinary.path())
        process.arguments = ["headless", "--server", "ws://127.0.0.1:\(port)/", "--name", name, "--camera", "test",
                             "--mic", "test", "--duration", String(duration), "--stats-json", statsPath,
                             "--log", dir.appendingPathComponent("headless.log").path]
            + extra.map { $0.replacingOccurrences(of: "DIR/", with: dir.path + "/") }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Waits for the process to exit (it does when the call ends) and reads its stats.
    func finish(timeout: Double = 15) async throws -> (status: Int32, stats: JSONObject) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            throw BrowserTestError("tuicall headless did not exit after the call ended")
        }
        let text = try String(contentsOfFile: statsPath, encoding: .utf8)
        return (process.terminationStatus, try JSONParser.parse(text).objectValue ?? [:])
    }

    deinit { if process.isRunning { process.terminate() } }
}

@Suite("Chromium and tuicall headless call each other", .serialized)
struct HeadlessBrowserCallTests {
    func checkHeadlessReceived(_ stats: JSONObject, _ what: String) {
        #expect(stats["connected"] == .bool(true), "\(what): \(stats)")
        #expect((stats["framesDecoded"]?.intValue ?? 0) > 0, "\(what) decoded the browser's video: \(stats)")
        #expect((stats["audioPacketsReceived"]?.intValue ?? 0) > 0, "\(what) received the browser's audio")
    }

    @Test func browserCallsHeadlessAndHangsUp() async throws {
        try await withWebClients(["carol"]) { _, server, pages in
            let carol = pages[0]
            let bot = try HeadlessPeer(port: server.port, name: "bot", extra: ["--record-audio", "DIR/heard.wav"])
            try await carol.waitFor("bot listed", timeout: 10, "tuicall.users.includes('bot')")
            _ = try await carol.evaluate("tuicall.call('bot').then(() => true)")
            let stats = try await carol.waitForMediaBothWays("carol decoding bot's video and audio")
            #expect(number(stats, "inboundVideo", "framesDecoded") > 0)
            try await Task.sleep(for: .seconds(1))
            _ = try await carol.evaluate("tuicall.hangUp()")
            let (status, botStats) = try await bot.finish()
            #expect(status == 0)
            checkHeadlessReceived(botStats, "tuicall headless (callee)")
            // What bot heard: Chromium's fake microphone beeps, so some 20 ms stretches are loud.
            let pcm = try WavAudio.read(path: bot.directory.appendingPathComponent("heard.wav").path).samples
            #expect(pcm.count > 48_000, "at least a second of audio was played out: \(pcm.count) samples")
            let loudest = stride(from: 0, to: max(0, pcm.count - 960), by: 960).map { AudioLevel.rms(pcm[$0..<$0 + 960]) }.max() ?? 0
            #expect(loudest > 1_000, "the browser's beep is audible in the recording (loudest 20 ms RMS \(loudest))")
        }
    }

    @Test func headlessCallsBrowserWhichAnswersSendrecvAndHangsUp() async throws {
        try await withWebClients(["dave"]) { _, server, pages in
            let dave = pages[0]
            // bot hangs up itself after 6 s (--duration): the browser's call must end too.
            let bot = try HeadlessPeer(port: server.port, name: "bot", duration: 6, extra: ["--call", "dave"])
            try await dave.waitFor("dave's phone to ring", timeout: 15, "tuicall.state === 'ringing' && tuicall.peer === 'bot'")
            _ = try await dave.evaluate("tuicall.accept().then(() => true)")
            let stats = try await dave.waitForMediaBothWays("dave decoding bot's video and audio")
            #expect(number(stats, "inboundVideo", "framesDecoded") > 0)
            try await dave.waitFor("dave's call to end when bot hangs up", timeout: 15, "tuicall.state === 'idle'")
            let (status, botStats) = try await bot.finish()
            #expect(status == 0)
            checkHeadlessReceived(botStats, "tuicall headless (caller)")
            let setup = botStats["setupTimeMs"]?.doubleValue ?? 0
            #expect(setup > 0)
            print("tuicall headless -> Chromium: invite to first decoded remote frame \(setup) ms")
        }
    }

    @Test func headlessCallsAnMDNSampleLikePageAndReceivesOnTheReofferedMlines() async throws {
        try await withWebClients([], logIn: false) { browser, server, _ in
            let samplePage = try await browser.open(server.pageURL)
            try await samplePage.waitForWebClient()
            try await samplePage.evaluate(sampleLikePeerScript(name: "sample"))
            _ = try await withTimeout(5, "the sample-like peer to log in") { try await samplePage.evaluate("sample.ready") }
            // The sample answers recvonly, then at once re-offers its camera and microphone on mids 2 and 3;
            // its hang-up (after bot's 8 s) would carry target null.
            let bot = try HeadlessPeer(port: server.port, name: "bot", duration: 8, extra: ["--call", "sample"])
            try await samplePage.waitFor("the sample decoding bot's video and audio", timeout: 15,
                                         "sample.stats().then(s => s.framesDecoded > 0 && s.audioPacketsReceived > 0)")
            #expect(try await samplePage.evaluate("sample.mids().join(',')") == "0,1,2,3")
            let (status, botStats) = try await bot.finish(timeout: 20)
            #expect(status == 0)
            checkHeadlessReceived(botStats, "tuicall headless (caller of the sample)")
        }
    }
}

