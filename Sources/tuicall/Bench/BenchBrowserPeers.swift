import BrowserDriver
import Foundation
import Media
import Signaling

/// `tuicall headless` as a child of the benchmark, with its CPU time and final statistics.
final class HeadlessChild {
    let process = Process()
    let name: String
    private let statsPath: String

    /// `extraArguments` go to `tuicall headless` after the bench's own.
    init(port: Int, name: String, call peer: String? = nil, duration: Double, fps: Double, directory: String,
         extraArguments: [String] = []) throws {
        self.name = name
        statsPath = "\(directory)/\(name)-\(UUID().uuidString.prefix(8)).json"
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["headless", "--server", "ws://127.0.0.1:\(port)/", "--name", name,
                             "--camera", "test", "--mic", "test", "--fps", String(fps),
                             "--duration", String(duration), "--stats-json", statsPath,
                             "--log", "\(directory)/\(name).log"] + (peer.map { ["--call", $0] } ?? []) + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// User + system CPU seconds so far (all threads).
    func cpuSeconds() -> Double { ProcessCPU.seconds(pid: process.processIdentifier) }

    /// Waits for the exit that follows the call's end and returns the stats file.
    func finish(timeout: Double = 20) async throws -> JSONObject {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            throw CLIError("bench browser: tuicall headless \(name) did not exit after its call")
        }
        guard let text = try? String(contentsOfFile: statsPath, encoding: .utf8),
              let stats = (try? JSONParser.parse(text))?.objectValue else {
            throw CLIError("bench browser: tuicall headless \(name) wrote no statistics (exit \(process.terminationStatus))")
        }
        return stats
    }

    deinit { if process.isRunning { process.terminate() } }
}

/// A browser window on tuicall's web client, logged in as `name`.
struct WebPeer {
    let browser: Browser
    let page: BrowserPage
    let name: String

    /// `query`: the web client's page parameters, e.g. `ice=turn:…&policy=relay`.
    static func open(_ browser: Browser, port: Int, name: String, query: String = "") async throws -> WebPeer {
        let page = try await browser.open("http://127.0.0.1:\(port)/" + (query.isEmpty ? "" : "?" + query))
        try await page.waitForWebClient(timeout: 20)
        _ = try await page.evaluate("tuicall.login(\(jsString(name)))")
        return WebPeer(browser: browser, page: page, name: name)
    }

    func waitUntilListed(_ user: String) async throws {
        try await page.waitFor("\(user) in \(name)'s user list", timeout: 15, every: .milliseconds(10),
                               "tuicall.users.includes(\(jsString(user)))")
    }

    /// Accepts the next incoming call the moment it rings, as a user who was waiting for it would.
    func autoAccept() async throws { try await page.autoAcceptNextCall() }

    func call(_ user: String) async throws {
        try await page.evaluate("tuicall.call(\(jsString(user))).then(() => true)")
    }

    /// The page's call timings (performance.now() milliseconds) once its first remote frame showed.
    func timingsAfterFirstFrame(timeout: Double = 15) async throws -> JSONObject {
        let value = try await page.waitFor("\(name)'s first remote video frame", timeout: timeout, every: .milliseconds(10),
                                           "tuicall.timings.firstFrame ? tuicall.timings : null")
        return value.objectValue ?? [:]
    }

    /// The web client's getStats summary once video and audio flow both ways.
    func statsWhenFlowing(timeout: Double = 20) async throws -> JSONObject {
        try await page.waitForMediaBothWays("\(name) sending and receiving video and audio", timeout: timeout)
    }

    func stats() async throws -> JSONObject {
        try await page.evaluate("tuicall.stats()").objectValue ?? [:]
    }

    func hangUpAndWaitIdle() async throws {
        _ = try? await page.evaluate("tuicall.hangUp()")
        try await waitIdle()
    }

    func waitIdle() async throws {
        try await page.waitFor("\(name)'s call to end", timeout: 15, "tuicall.state === 'idle'")
    }
}

/// Milliseconds between two entries of a page's `tuicall.timings`.
func span(_ timings: JSONObject, _ from: String, _ to: String) -> Double? {
    guard let a = timings[from]?.doubleValue, let b = timings[to]?.doubleValue else { return nil }
    return ((b - a) * 10).rounded() / 10
}

/// A field of a web-client stats group (0 when absent).
func field(_ stats: JSONObject, _ group: String, _ name: String) -> Double {
    stats[group]?.objectValue?[name]?.doubleValue ?? 0
}
