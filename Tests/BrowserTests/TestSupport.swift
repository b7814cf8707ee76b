import BrowserDriver
import Foundation
import Logging
import ServiceLifecycle
import SignalingServer

typealias BrowserTestError = BrowserError

let quietLogger: Logger = {
    var l = Logger(label: "browser-test")
    l.logLevel = .critical
    return l
}()

/// The real server with the web client on an ephemeral loopback port, run as `tuicall serve` runs it.
final class TestServer: Sendable {
    let server: SignalingServer
    let group: ServiceGroup
    let port: Int
    let task: Task<Void, Error>

    private init(server: SignalingServer, group: ServiceGroup, port: Int, task: Task<Void, Error>) {
        self.server = server; self.group = group; self.port = port; self.task = task
    }

    static func start() async throws -> TestServer {
        var config = SignalingServerConfiguration()
        config.port = 0
        config.staticFiles = WebClient.staticFiles
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let server = SignalingServer(configuration: config, logger: quietLogger) { portSink.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: quietLogger))
        let task = Task { try await group.run() }
        let bound = try await withTimeout(10, "the signaling server to start") {
            var it = ports.makeAsyncIterator()
            guard let p = await it.next() else { throw BrowserTestError("the signaling server did not start") }
            return p
        }
        return TestServer(server: server, group: group, port: bound, task: task)
    }

    /// The web client's address (127.0.0.1 is a secure context, so getUserMedia works over http).
    var pageURL: String { "http://127.0.0.1:\(port)/" }

    func stop() async {
        do {
            try await withTimeout(10, "the signaling server to stop") { [group, task] in
                await group.triggerGracefulShutdown()
                try await task.value
            }
        } catch {
            task.cancel()
            print("[BrowserTests] warning: \(error); connections and users still open: \(server.counts)")
        }
    }
}
