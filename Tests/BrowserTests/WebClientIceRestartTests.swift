import BrowserDriver
import Foundation
import Signaling
import Testing
import TestSupport

/// ICE restarts between the web client (real Chromium) and `tuicall headless`: the browser's own
/// `restartIce()` offer, and a lost path (the headless peer SIGSTOPped past both sides' consent timeout)
/// that comes back by restart, with video flowing both ways afterwards.
@Suite("Chromium and tuicall restart ICE", .serialized, .timeLimit(.minutes(3)))
struct WebClientIceRestartTests {
    static func framesDecoded(_ page: BrowserPage) async throws -> Double {
        number(try await stats(page), "inboundVideo", "framesDecoded")
    }

    /// The frames `tuicall headless` decoded by each `--stats-log` line, as (unix ms, frames).
    static func headlessFrames(_ path: String) throws -> [(ms: Double, frames: Double)] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { line in
            guard let o = try JSONParser.parse(String(line)).objectValue,
                  let ms = o["unixMs"]?.doubleValue, let s = o["stats"]?.objectValue else { return nil }
            return (ms, s["framesDecoded"]?.doubleValue ?? 0)
        }
    }

    @Test func theBrowsersRestartOfferIsAnsweredAndTheCallGoesOn() async throws {
        try await withWebClients(["carol"]) { _, server, pages in
            let carol = pages[0]
            let bot = try HeadlessPeer(port: server.port, name: "bot", extra: [])
            try await carol.waitFor("bot listed", timeout: 10, "tuicall.users.includes('bot')")
            _ = try await carol.evaluate("tuicall.call('bot').then(() => true)")
            let before = try await carol.waitForMediaBothWays("carol decoding bot's video and audio")
            let oldUfrag = try #require(before["localUfrag"]?.stringValue)
            let oldRemote = try #require(before["remoteUfrag"]?.stringValue)
            let start = try await Self.framesDecoded(carol)
            try await Task.sleep(for: .seconds(2))
            let framesBefore = try await Self.framesDecoded(carol) - start

            try await carol.evaluate("tuicall.restartIce()")
            let after = try await carol.waitFor("new credentials both ways", timeout: 10, """
                tuicall.stats().then(s => s.localUfrag !== '\(oldUfrag)' && s.remoteUfrag !== '\(oldRemote)'
                  && s.connectionState === 'connected' ? s : null)
                """).objectValue ?? [:]
            #expect(after["iceRestarts"]?.intValue == 1)
            let frames = try await Self.framesDecoded(carol)
            try await Task.sleep(for: .seconds(2))
            let more = try await Self.framesDecoded(carol) - frames
            print("ICE restart by Chromium: \(framesBefore) frames decoded in the 2 s before it, \(more) in the 2 s after")
            #expect(more >= 10 && more >= framesBefore / 2, "bot's video after the restart: \(more) frames in 2 s")
            #expect(try await carol.evaluate("tuicall.state") == "in-call")

            _ = try await carol.evaluate("tuicall.hangUp()")
            let (status, botStats) = try await bot.finish()
            #expect(status == 0)
            #expect((botStats["iceRestarts"]?.intValue ?? 0) >= 1, "bot counted the browser's restart: \(botStats)")
            #expect((botStats["framesDecoded"]?.intValue ?? 0) > 40)
        }
    }

    /// bot (tuicall headless) calls dave and is stopped for 12 s: Chromium sees "disconnected" and offers a
    /// restart that bot cannot answer; after SIGCONT bot answers it (its own expired consent then waits out
    /// `Call.restartSettleNs` instead of restarting again), and video flows both ways again.
    @Test func aPeerStoppedPastItsConsentComesBackByRestart() async throws {
        try await withWebClients(["dave"]) { _, server, pages in
            let dave = pages[0]
            let bot = try HeadlessPeer(port: server.port, name: "bot", duration: 60,
                                       extra: ["--call", "dave", "--stats-log", "DIR/bot.jsonl", "--stats-every", "0.25"])
            try await dave.waitFor("dave's phone to ring", timeout: 15, "tuicall.state === 'ringing' && tuicall.peer === 'bot'")
            _ = try await dave.evaluate("tuicall.accept().then(() => true)")
            _ = try await dave.waitForMediaBothWays("dave decoding bot's video and audio")
            try await Task.sleep(for: .seconds(1))

            #expect(kill(bot.process.processIdentifier, SIGSTOP) == 0)
            defer { kill(bot.process.processIdentifier, SIGCONT) }
            try await dave.waitFor("dave to notice the lost path", timeout: 12,
                                   "tuicall.chat.some(m => m.text === 'The media path to bot was lost; reconnecting…')")
            try await Task.sleep(for: .seconds(8))
            let resumedMs = Date().timeIntervalSince1970 * 1000
            #expect(kill(bot.process.processIdentifier, SIGCONT) == 0)
            let frames = try await Self.framesDecoded(dave)
            try await dave.waitFor("dave decoding bot again", timeout: 10, every: .milliseconds(50),
                                   "tuicall.stats().then(s => s.inboundVideo.framesDecoded >= \(frames + 30))")
            print("ICE restart with Chromium: dave decodes bot's video again "
                  + "\(Int(Date().timeIntervalSince1970 * 1000 - resumedMs)) ms after SIGCONT (30 frames)")
            try await dave.waitFor("dave to say the path is back", timeout: 10,
                                   "tuicall.chat.some(m => m.text.startsWith('The media path to bot is back after'))")
            try await Task.sleep(for: .seconds(3))
            #expect(try await dave.evaluate("tuicall.state") == "in-call")
            // The page counted the stop as one long freeze, ending (video back) after SIGCONT.
            let freezes = try await stats(dave)["longFreezes"]?.objectValue ?? [:]
            let last = freezes["recent"]?.arrayValue?.last?.objectValue ?? [:]
            #expect((freezes["count"]?.intValue ?? 0) >= 1 && (last["durationMs"]?.doubleValue ?? 0) > 10_000
                    && (last["endUnixMs"]?.doubleValue ?? 0) > resumedMs, "dave's long freezes: \(freezes)")

            let lines = try Self.headlessFrames(bot.directory.appendingPathComponent("bot.jsonl").path)
            let atResume = lines.last { $0.ms <= resumedMs + 1000 }?.frames ?? 0
            let decodedSince = (lines.last?.frames ?? 0) - atResume
            #expect(decodedSince >= 45, "bot decoded \(decodedSince) of dave's frames in the 3 s after the path came back")

            _ = try await dave.evaluate("tuicall.hangUp()")
            let (status, botStats) = try await bot.finish()
            #expect(status == 0)
            #expect((botStats["iceRestarts"]?.intValue ?? 0) >= 1, "\(botStats)")
            #expect((botStats["pathLosses"]?.intValue ?? 0) >= 1, "\(botStats)")
        }
    }
}
