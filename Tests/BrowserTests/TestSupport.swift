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

/// The real server with the web client on an ephemeral loopback port, run in-process.
final class TestServer: Sendable {
    let running: InProcessSignalingServer
    var server: SignalingServer { running.server }
    var port: Int { running.port }

    private init(running: InProcessSignalingServer) { self.running = running }

    static func start(port: Int = 0, configure: (inout SignalingServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        var config = SignalingServerConfiguration()
        config.port = port
        config.staticFiles = WebClient.staticFiles
        configure(&config)
        return TestServer(running: try await InProcessSignalingServer.start(configuration: config, logger: quietLogger))
    }

    /// The web client's address (127.0.0.1 is a secure context, so getUserMedia works over http).
    var pageURL: String { "http://127.0.0.1:\(port)/" }

    func stop() async {
        if !(await running.stop()) {
            print("[BrowserTests] warning: the server did not stop gracefully; connections and users still open: \(server.counts)")
        }
    }
}
