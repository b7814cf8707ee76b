#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import SignalingServer

/// The signaling server run inside the client when no `--server` is given and nobody answers
/// on the default address (127.0.0.1:6503), so a first user can start chatting at once.
final class EmbeddedServer: Sendable {
    /// How long to wait for the embedded server to listen.
    static let startTimeout: Duration = .seconds(5)

    private let running: InProcessSignalingServer
    var port: Int { running.port }

    private init(running: InProcessSignalingServer) { self.running = running }

    /// Whether something accepts TCP connections on host:port (a quick loopback probe).
    static func somethingListens(host: String, port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { return false }
        return withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Starts a server on host:port and waits until it listens.
    static func start(host: String, port: Int, logger: Logger) async throws -> EmbeddedServer {
        var config = SignalingServerConfiguration()
        config.host = host
        config.port = port
        do {
            return EmbeddedServer(running: try await InProcessSignalingServer.start(
                configuration: config, logger: logger, startTimeout: startTimeout))
        } catch {
            throw CLIError("\(error); run `tuicall serve` elsewhere and pass --server ws://HOST:PORT")
        }
    }

    /// Closes connections and releases the port.
    func stop() async { await running.stop(timeout: .seconds(2)) }
}
