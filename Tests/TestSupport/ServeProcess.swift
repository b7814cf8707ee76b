import Foundation
import NetworkEmulator

/// The real `tuicall serve` as its own process on 127.0.0.1, for tests that kill and restart the server.
package final class ServeProcess {
    package let port: UInt16
    package let logPath: String
    private let process: Process

    private init(port: UInt16, logPath: String, process: Process) {
        self.port = port
        self.logPath = logPath
        self.process = process
    }

    package var url: String { "ws://127.0.0.1:\(port)/" }
    /// The web client it serves.
    package var pageURL: String { "http://127.0.0.1:\(port)/" }
    package var isRunning: Bool { process.isRunning }

    /// Starts `tuicall serve` on `port` (a free one when nil) and waits until it accepts connections.
    package static func start(port: UInt16? = nil, extra: [String] = []) throws -> ServeProcess {
        let port = try port ?? freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(port)-\(UUID().uuidString).log").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try TuicallBinary.path())
        p.arguments = ["serve", "--port", "\(port)", "--host", "127.0.0.1", "--log", log] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let server = ServeProcess(port: port, logPath: log, process: p)
        guard server.waitUntilListening(seconds: 10) else {
            server.kill()
            throw ServeNotListening(port: port, log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        return server
    }

    /// SIGKILL: the server gets no chance to close anything, as when it crashes.
    package func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { kill() }

    /// A port the kernel just handed out and took back (free, as far as anyone can know).
    package static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = Loopback.address(port: 0)
        let ok = Loopback.withSockaddr(&addr) { sa, len in
            var len = len
            return bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
        guard ok else { throw ServeNotListening(port: 0, log: "cannot bind a loopback port: errno \(errno)") }
        return UInt16(bigEndian: addr.sin_port)
    }

    private func waitUntilListening(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline && process.isRunning {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = Loopback.address(port: port)
            let connected = Loopback.withSockaddr(&addr) { connect(fd, $0, $1) == 0 }
            close(fd)
            if connected { return true }
            usleep(50_000)
        }
        return false
    }
}

package struct ServeNotListening: Error, CustomStringConvertible {
    package let port: UInt16
    package let log: String
    package var description: String { "tuicall serve did not listen on port \(port); its log: \(log.suffix(2000))" }
}
