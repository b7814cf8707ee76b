#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import SignalingServer
import Synchronization

/// The signaling server run inside the client when no `--server` is given and nobody answers on the
/// default address (127.0.0.1:6503), so a first user can start chatting at once. It serves the web client
/// too. When two clients start together, the second joins the first's server; when the client hosting it
/// quits, one of the others takes it over on the same port and the rest reconnect to it.
final class EmbeddedServer: Sendable {
    /// How long to wait for the embedded server to listen.
    static let startTimeout: Duration = .seconds(5)

    private let running: InProcessSignalingServer
    var port: Int { running.port }
    /// Users logged in right now (the host is one of them).
    var users: Int { running.server.counts.users }

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
        config.staticFiles = WebClient.staticFiles
        do {
            return EmbeddedServer(running: try await InProcessSignalingServer.start(
                configuration: config, logger: logger, startTimeout: startTimeout))
        } catch {
            throw CLIError("\(error); run `tuicall serve` elsewhere and pass --server ws://HOST:PORT")
        }
    }

    /// Joins whoever listens on host:port, or starts the server there; nil means joined (someone else hosts).
    /// Losing a race to bind (another client started at the same moment) means joining it.
    static func startOrJoin(host: String, port: Int, logger: Logger) async throws -> EmbeddedServer? {
        if somethingListens(host: host, port: port) { return nil }
        do {
            return try await start(host: host, port: port, logger: logger)
        } catch {
            // Another client bound the port first: join it.
            try await Task.sleep(for: .milliseconds(200))
            if somethingListens(host: host, port: port) { return nil }
            throw error
        }
    }

    /// Closes connections and releases the port.
    func stop() async { await running.stop(timeout: .seconds(2)) }
}

/// The embedded server a client may host, now or later (taking over from a host that quit).
final class EmbeddedServerHost: Sendable {
    let host: String
    let port: Int
    private let current = Mutex<EmbeddedServer?>(nil)
    private let logger = Logger(label: "tuicall.embedded-server")

    init(host: String, port: Int) { self.host = host; self.port = port }

    var server: EmbeddedServer? { current.withLock { $0 } }
    /// Others logged in through our server (0 when we host none).
    var otherUsers: Int { max(0, (server?.users ?? 1) - 1) }
    /// The web client's address when we host the server.
    var webClientURL: String? { server.map { "http://\(host):\($0.port)/" } }

    /// At start: join or host. True when we host.
    @discardableResult
    func startOrJoin() async throws -> Bool {
        let s = try await EmbeddedServer.startOrJoin(host: host, port: port, logger: logger)
        current.withLock { $0 = s }
        return s != nil
    }

    /// The server we used went away: host it ourselves unless someone already does (a random wait first,
    /// so that of several clients one wins and the others join it). True when we now host.
    func takeOver() async -> Bool {
        guard server == nil else { return false }
        try? await Task.sleep(for: .milliseconds(Int.random(in: 0...400)))
        guard let s = try? await EmbeddedServer.startOrJoin(host: host, port: port, logger: logger) else { return false }
        current.withLock { $0 = s }
        logger.info("took over the embedded server", metadata: ["port": "\(s.port)"])
        return true
    }

    func stop() async {
        let s = current.withLock { s -> EmbeddedServer? in defer { s = nil }; return s }
        await s?.stop()
    }
}
