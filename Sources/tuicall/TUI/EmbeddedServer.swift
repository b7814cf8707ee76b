#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import ServiceLifecycle
import SignalingServer
import Synchronization

/// The signaling server run inside the client when no `--server` is given and nobody answers
/// on the default address (127.0.0.1:6503), so a first user can start chatting at once.
final class EmbeddedServer: Sendable {
    /// How long to wait for the embedded server to listen.
    static let startTimeout: Duration = .seconds(5)

    private let group: ServiceGroup
    private let task: Task<Void, Never>
    let port: Int

    private init(group: ServiceGroup, task: Task<Void, Never>, port: Int) {
        self.group = group; self.task = task; self.port = port
    }

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
        let (listening, listeningSink) = AsyncStream<Int>.makeStream()
        let server = SignalingServer(configuration: config, logger: logger) { port in
            listeningSink.yield(port)
            listeningSink.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [],
                                                      logger: logger))
        let failure = Mutex<String?>(nil)
        let task = Task {
            do { try await group.run() } catch {
                failure.withLock { $0 = "\(error)" }
                logger.error("embedded signaling server stopped", metadata: ["error": "\(error)"])
            }
            listeningSink.finish()
        }
        let timeout = Task {
            try? await Task.sleep(for: startTimeout)
            listeningSink.finish()
        }
        defer { timeout.cancel() }
        for await bound in listening {
            return EmbeddedServer(group: group, task: task, port: bound)
        }
        task.cancel()
        let why = failure.withLock { $0 } ?? "it did not start listening within \(startTimeout)"
        throw CLIError("cannot start the embedded signaling server on \(host):\(port): \(why); "
                       + "run `tuicall serve` elsewhere and pass --server ws://HOST:PORT")
    }

    /// Closes connections and releases the port.
    func stop() async {
        await group.triggerGracefulShutdown()
        let watchdog = Task { [task] in try? await Task.sleep(for: .seconds(2)); task.cancel() }
        await task.value
        watchdog.cancel()
    }
}
