#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A real coturn `turnserver` on 127.0.0.1 with one long-term-credential user: the TURN server the relay
/// tests and `tuicall bench network` put the emulator in front of. Needs the Debian package `coturn`.
public final class CoturnProcess {
    public static let executable = "/usr/bin/turnserver"
    public static let user = "u"
    public static let password = "p"
    public static let realm = "tuicall"

    public let port: UInt16
    private let process: Process
    private let directory: URL

    private init(port: UInt16, process: Process, directory: URL) {
        self.port = port
        self.process = process
        self.directory = directory
    }

    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    /// Starts the server on a random port and waits until it answers a STUN Binding request.
    public static func start() throws -> CoturnProcess? {
        guard isInstalled else { throw TurnServerMissing() }
        let port = UInt16.random(in: 20_000...29_999)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("turn-\(port)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = ["-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=\(port)",
                       "--user=\(user):\(password)", "--lt-cred-mech", "--realm=\(realm)",
                       "--no-tls", "--no-dtls", "--allow-loopback-peers", "--no-cli",
                       "--min-port=\(port &+ 100)", "--max-port=\(port &+ 400)",
                       "--pidfile=\(dir.path)/turn.pid", "--userdb=\(dir.path)/turndb",
                       "--log-file=\(dir.path)/turn.log", "--no-stdout-log"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let server = CoturnProcess(port: port, process: p, directory: dir)
        guard server.waitUntilAnswering(seconds: 5) else {
            server.stop()
            throw TurnError.notAnswering(port)
        }
        return server
    }

    public enum TurnError: Error { case notAnswering(UInt16) }

    private func waitUntilAnswering(seconds: Double) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let request = StunBinding.request(transactionId: (0..<12).map { _ in UInt8.random(in: 0...255) })
        let deadline = Date().addingTimeInterval(seconds)
        var buf = [UInt8](repeating: 0, count: 512)
        while Date() < deadline && process.isRunning {
            Loopback.send(fd, request, to: port)
            let n = recv(fd, &buf, buf.count, 0)
            if StunBinding.successTransactionId(buf, count: n) != nil { return true }
        }
        return false
    }

    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)  // coturn ignores SIGTERM while it has sessions
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}

/// coturn is not installed; scripts/bootstrap --test installs it.
public struct TurnServerMissing: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "coturn is not installed: run scripts/bootstrap --test (apt-get install coturn)" }
}
