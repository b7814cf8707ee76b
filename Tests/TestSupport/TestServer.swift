import Foundation
import Logging
import Signaling
import SignalingClient
import SignalingServer
import Synchronization

package struct TimeoutError: Error, CustomStringConvertible {
    package let description: String
    package init(description: String) { self.description = description }
}

package let quietLogger: Logger = {
    var l = Logger(label: "test")
    l.logLevel = .critical
    return l
}()

/// The real server on an ephemeral loopback port, run in-process as the client's embedded server runs it.
package final class TestServer: Sendable {
    package let running: InProcessSignalingServer
    package var server: SignalingServer { running.server }
    package var port: Int { running.port }

    private init(running: InProcessSignalingServer) { self.running = running }

    /// `webClient` serves the browser client's pages as `tuicall serve` does.
    package static func start(port: Int = 0, webClient: Bool = false,
                              configure: (inout SignalingServerConfiguration) -> Void = { _ in }) async throws -> TestServer {
        var config = SignalingServerConfiguration()
        config.port = port
        if webClient { config.staticFiles = WebClient.staticFiles }
        configure(&config)
        return TestServer(running: try await InProcessSignalingServer.start(configuration: config, logger: quietLogger))
    }

    package var url: String { "\(server.configuration.tlsCertificatePath == nil ? "ws" : "wss")://127.0.0.1:\(port)/" }

    /// Graceful shutdown; a server that does not finish it within 5 s fails the test that stops it.
    package func stop() async throws {
        guard await running.stop() else {
            throw TimeoutError(description: "the server did not shut down gracefully within 5 s: \(server.counts)")
        }
    }

    /// The web client's address (127.0.0.1 is a secure context, so getUserMedia works over http).
    package var pageURL: String { "http://127.0.0.1:\(port)/" }

    /// Graceful shutdown that only warns when it does not finish (browser tests, where a page may hold a socket).
    package func stopWarning() async {
        if !(await running.stop()) {
            print("[tests] warning: the server did not stop gracefully; connections and users still open: \(server.counts)")
        }
    }
}
