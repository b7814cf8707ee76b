import CallEngine
import Foundation
import Testing
import TestSupport

/// One `--stats-log` line of `tuicall headless`.
struct HeadlessStatsLine: Decodable {
    let unixMs: Int64
    let stats: CallStats

    static func read(_ path: String) throws -> [HeadlessStatsLine] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONDecoder().decode(Self.self, from: Data($0.utf8)) }
    }

    /// When video came back after `sinceMs`: the earliest sample from which every later `windowMs` window
    /// (up to the last sample) decoded at least `minFrames` frames. Stale frames decoded in one burst and then a
    /// stall do not count as back. Nil when video never steadied for at least `4 × windowMs` before the end.
    static func recoveredAt(_ lines: [HeadlessStatsLine], sinceMs: Int64, windowMs: Int64 = 500,
                            minFrames: Int = 5) -> Int64? {
        func frames(at ms: Int64) -> Int? { lines.last { $0.unixMs <= ms }?.stats.framesDecoded }
        let ends = lines.filter { $0.unixMs >= sinceMs + windowMs }
        guard let lastMs = ends.last?.unixMs else { return nil }
        var recovered: Int64?
        for line in ends {
            guard let before = frames(at: line.unixMs - windowMs) else { continue }
            if line.stats.framesDecoded - before >= minFrames {
                if recovered == nil { recovered = line.unixMs - windowMs }
            } else {
                recovered = nil
            }
        }
        return lastMs - (recovered ?? lastMs) >= 4 * windowMs ? recovered : nil
    }
}

@Suite("A frozen peer comes back", .serialized)
struct FrozenPeerRecoveryTests {
    /// The issue's case: a peer stopped for 4 s (SIGSTOP, as a laptop lid or a debugger does) must see and be
    /// seen again within 1 s of SIGCONT, on both sides, in the same call. Stopped for 12 s the ICE consent
    /// (10 s in libnice) has expired on both sides: the call comes back by an ICE restart, as fast.
    @Test(arguments: [4, 12]) func videoIsBackOnBothSidesWithinOneSecondOfSigcont(stoppedSeconds: Int) async throws {
        let bin = try #require(HeadlessBinary.path, "build tuicall first (swift build)")
        let server = try await TestServer.start()
        let dir = try HeadlessBinary.scratchDirectory("frozen")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "ws://127.0.0.1:\(server.port)"
        func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
        let bob = try HeadlessBinary.run(bin, ["headless", "--server", url, "--name", "bob", "--duration", "60",
                                               "--stats-log", path("bob.jsonl"), "--stats-every", "0.1",
                                               "--log", path("bob.log")])
        defer { kill(bob.processIdentifier, SIGCONT); kill(bob.processIdentifier, SIGKILL) }
        let alice = try HeadlessBinary.run(bin, ["headless", "--server", url, "--name", "alice", "--call", "bob",
                                                 "--duration", "60", "--stats-log", path("alice.jsonl"),
                                                 "--stats-every", "0.1", "--log", path("alice.log")])
        defer { if alice.isRunning { alice.terminate() } }
        #expect(try await waitForFrames(path("alice.jsonl"), atLeast: 60, seconds: 20))
        try await Task.sleep(for: .seconds(1))
        #expect(kill(bob.processIdentifier, SIGSTOP) == 0)
        try await Task.sleep(for: .seconds(stoppedSeconds))
        let resumedMs = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(kill(bob.processIdentifier, SIGCONT) == 0)
        try await Task.sleep(for: .seconds(5))
        #expect(alice.isRunning && bob.isRunning, "the call ended while bob was stopped")
        alice.terminate()
        #expect(try await HeadlessProcessTests.waitExit(alice, seconds: 10) == 0)
        _ = try await HeadlessProcessTests.waitExit(bob, seconds: 10)

        for who in ["alice", "bob"] {
            let lines = try HeadlessStatsLine.read(path("\(who).jsonl"))
            let last = try #require(lines.last).stats
            print("frozen peer: \(who) lost the path \(last.pathLosses) times, \(last.iceRestarts) ICE restarts")
            if stoppedSeconds > 10 { #expect(last.pathLosses >= 1 && last.iceRestarts >= 1, "\(who)") }
            let back = HeadlessStatsLine.recoveredAt(lines, sinceMs: resumedMs)
            let afterMs = back.map { $0 - resumedMs }
            print("frozen peer: \(who) decodes video again \(afterMs.map { "\($0) ms" } ?? "never") after SIGCONT"
                  + " (\(lines.last?.stats.framesDecoded ?? 0) frames in all)")
            #expect(afterMs != nil && afterMs! <= 1000, "\(who): \(afterMs.map(String.init) ?? "never") ms")
        }
        try await server.stop()
    }

    private func waitForFrames(_ path: String, atLeast frames: Int, seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let last = (try? HeadlessStatsLine.read(path))?.last, last.stats.framesDecoded >= frames { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
