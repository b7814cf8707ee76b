import CallEngine
import Foundation
import Signaling
import Testing
import TestSupport

/// The built `tuicall` binary (TUICALL_BIN overrides), if it has the `headless` subcommand.
enum HeadlessBinary {
    static let path: String? = TuicallBinary.found

    /// True when the binary exists and knows `headless` (it is registered by the lead's TuiCall.swift).
    static let available: Bool = {
        guard let path else { return false }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--help"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.contains("headless")
    }()

    /// A fresh directory for one test's logs and statistics (the caller removes it).
    static func scratchDirectory(_ prefix: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func run(_ path: String, _ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }
}

@Suite("tuicall headless processes", .serialized)
struct HeadlessProcessTests {
    static func waitExit(_ p: Process, seconds: Double) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if p.isRunning {
            p.terminate()
            throw TimeoutError(description: "tuicall headless still running after \(seconds) s")
        }
        return p.terminationStatus
    }

    @Test func twoHeadlessProcessesCallEachOtherAndWriteStats() async throws {
        let bin = try #require(HeadlessBinary.path, "build tuicall first (swift build)")
        #expect(HeadlessBinary.available, "tuicall at \(bin) has no headless command")
        let server = try await TestServer.start()
        let dir = try HeadlessBinary.scratchDirectory("headless")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "ws://127.0.0.1:\(server.port)"
        let bobStats = dir.appendingPathComponent("bob.json").path, aliceStats = dir.appendingPathComponent("alice.json").path

        // Bob sends a smaller, slower test pattern: alice must see exactly that.
        let bob = try HeadlessBinary.run(bin, ["headless", "--server", url, "--name", "bob", "--duration", "30",
                                               "--video-size", "320x240", "--fps", "15", "--stats-json", bobStats, "--log", dir.appendingPathComponent("bob.log").path])
        // Alice waits for bob in the user list herself (--call waits up to 15 s).
        let alice = try HeadlessBinary.run(bin, ["headless", "--server", url, "--name", "alice", "--call", "bob",
                                                 "--duration", "5", "--stats-json", aliceStats,
                                                 "--log", dir.appendingPathComponent("alice.log").path])
        // Alice hangs up after 5 s of call; bob's call then ends and he exits long before his 30 s.
        #expect(try await Self.waitExit(alice, seconds: 40) == 0)
        #expect(try await Self.waitExit(bob, seconds: 15) == 0)

        var decoded: [String: Int] = [:]
        for (path, who, size) in [(aliceStats, "alice", (320, 240)), (bobStats, "bob", (640, 480))] {
            let stats = try JSONDecoder().decode(CallStats.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            #expect(stats.connected)
            #expect(stats.framesDecoded > 10)
            #expect(stats.audioPacketsReceived > 10)
            #expect(stats.width == size.0 && stats.height == size.1, "\(who) received \(stats.width)x\(stats.height)")
            #expect(stats.setupTimeMs != nil && stats.latencyP50Ms != nil)
            decoded[who] = stats.framesDecoded
        }
        // 15 fps against 30 fps over the same call: alice decodes about half as many frames as bob.
        let (a, b) = (decoded["alice"] ?? 0, decoded["bob"] ?? 0)
        #expect(Double(a) < 0.7 * Double(b), "alice decoded \(a) frames at 15 fps, bob \(b) at 30 fps")
        try await server.stop()
    }

    /// A peer whose machine freezes says nothing: its WebSocket stays open, so only ICE consent freshness
    /// (RFC 7675; libnice gives up 10 s after the last consent response) notices. Then ICE restarts for
    /// --ice-restart-timeout (5 s here, 30 s by default) and the call ends by itself, with the reason.
    @Test func aFrozenPeerEndsTheCallAfterTheIceRestartTimeout() async throws {
        let bin = try #require(HeadlessBinary.path, "build tuicall first (swift build)")
        let server = try await TestServer.start()
        let dir = try HeadlessBinary.scratchDirectory("headless")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "ws://127.0.0.1:\(server.port)"
        let aliceStats = dir.appendingPathComponent("alice.json").path
        let bob = try HeadlessBinary.run(bin, ["headless", "--server", url, "--name", "bob", "--duration", "120",
                                               "--log", dir.appendingPathComponent("bob.log").path])
        defer { kill(bob.processIdentifier, SIGKILL) }
        let alice = try HeadlessBinary.run(bin, ["headless", "--server", url, "--name", "alice", "--call", "bob",
                                                 "--duration", "120", "--stats-json", aliceStats, "--ice-restart-timeout", "5",
                                                 "--log", dir.appendingPathComponent("alice.log").path])
        defer { if alice.isRunning { alice.terminate() } }
        try await Task.sleep(for: .seconds(4))  // the call is up and media flows
        #expect(alice.isRunning && bob.isRunning)
        let frozenAt = Date()
        #expect(kill(bob.processIdentifier, SIGSTOP) == 0)
        #expect(try await Self.waitExit(alice, seconds: 60) == 0)
        let after = Date().timeIntervalSince(frozenAt)
        // Consent lost 4–10 s after the freeze (libnice checks every 4–6 s, gives up 10 s after the last
        // answer), then 5 s of ICE restarts.
        #expect(after > 5 && after < 20, "alice's call ended \(after) s after bob froze")
        print("frozen peer: alice's call ended after \(after) s")
        let stats = try JSONDecoder().decode(CallStats.self, from: Data(contentsOf: URL(fileURLWithPath: aliceStats)))
        #expect(stats.connected && stats.framesDecoded > 10)
        #expect(stats.pathLosses == 1 && stats.iceRestarts >= 1, "\(stats.pathLosses) losses, \(stats.iceRestarts) restarts")
        #expect(stats.endReason?.contains("no media path to bob for 5 s") == true, "\(stats.endReason ?? "no reason")")
        // bob is still frozen with his WebSocket open: the server's shutdown must not wait for him
        // (close frame, 2 s for his answer, then cut off after 3 s; stop() fails after 5 s).
        try await server.stop()
    }

    @Test func badIceAndVideoOptionsAreRefusedBeforeConnecting() throws {
        let bin = try #require(HeadlessBinary.path, "build tuicall first (swift build)")
        for (args, message) in [(["--ice-server", "foo:bar"], "only stun: and turn: over UDP or TCP are supported"),
                                (["--ice-server", "turn:127.0.0.1:3478"], "needs --turn-user and --turn-pass"),
                                (["--ice-server", "turns:127.0.0.1:5349", "--turn-user", "u",
                                  "--turn-pass", "p"], "only stun: and turn: over UDP or TCP are supported"),
                                (["--video-size", "big"], "--video-size must look like 640x480"),
                                (["--video-size", "641x480"], "bad video size 641x480"),
                                (["--fps", "0"], "bad frame rate 0"),
                                (["--ice-restart-timeout", "0"], "--ice-restart-timeout must be a positive number"),
                                (["--stats-every", "0.01"], "--stats-every must be at least 0.05 seconds")] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["headless", "--server", "ws://127.0.0.1:1/", "--name", "x"] + args
            let err = Pipe()
            p.standardError = err
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus != 0)
            #expect(text.contains(message), "\(args): \(text)")
        }
    }
}
