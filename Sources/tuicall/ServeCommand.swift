import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SignalingServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the signaling server (MDN chat-server protocol, WebSocket subprotocol json).")

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 6503
    @Option(help: "Largest accepted message in bytes.") var maxMessageBytes = 64 * 1024
    @Option(help: "Messages per second one connection may send (burst: twice this); 0 disables.")
    var rateLimit: Double = 100
    @Option(help: "TCP connections from one IP address (0: no limit).") var maxConnectionsPerAddress = 64
    @Option(help: "TCP connections in all (capped below the open-file limit).") var maxConnections = 16_384
    @Option(help: "Seconds a connection may take to become a WebSocket.") var upgradeTimeout = 5.0
    @Option(help: "Bytes x recipients one connection may broadcast per second (burst: 4 times this).")
    var broadcastBudget: Double = 1_000_000
    @Option(help: "Largest user list in bytes; logins beyond it are refused.") var maxUserListBytes = 1 << 20
    @Option(help: "File of access tokens, one per line: only clients presenting one log in.") var tokenFile: String?
    @Option(help: "PEM certificate for wss://.") var tlsCert: String?
    @Option(help: "PEM private key for wss://.") var tlsKey: String?
    @Option(help: "Log file (default: $XDG_STATE_HOME/tuicall/tuicall.log).") var log: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel = "info"

    /// True when the command line runs the server.
    static func isInvoked(by arguments: [String]) -> Bool {
        arguments.dropFirst().first == "serve"
    }

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw CLIError("unknown log level \(logLevel)") }
        try LogSetup.bootstrap(path: log, level: level)
        raiseFileLimit()
        var config = SignalingServerConfiguration()
        config.host = host
        config.port = port
        config.maxMessageBytes = maxMessageBytes
        config.rateLimitPerSecond = rateLimit
        config.rateLimitBurst = rateLimit * 2
        config.maxConnectionsPerAddress = maxConnectionsPerAddress
        config.maxConnections = maxConnections
        config.upgradeTimeoutSeconds = upgradeTimeout
        config.broadcastBytesPerSecond = broadcastBudget
        config.broadcastBurstBytes = broadcastBudget * 4
        config.maxUserListBytes = maxUserListBytes
        if let tokenFile {
            do { config.accessTokens = try AccessTokens(file: tokenFile) } catch { throw CLIError("\(error)") }
        }
        config.tlsCertificatePath = tlsCert
        config.tlsKeyPath = tlsKey
        config.staticFiles = WebClient.staticFiles
        let logger = Logger(label: "tuicall.serve")
        let scheme = tlsCert == nil ? "ws" : "wss"
        // Clients check the certificate against the URL's host: print a name it is valid for.
        let urlHost = tlsCert.flatMap { CertificateNames.hostNames(pemFile: $0).first } ?? host
        let server = SignalingServer(configuration: config, logger: logger) { [host] port in
            // One line on stdout so scripts (and `bench server`) learn the port.
            var line = "tuicall serve: listening on \(scheme)://\(host):\(port)/ (http://\(host):\(port)/healthz)\n"
            if urlHost != host { line += "tuicall serve: clients connect with --server \(scheme)://\(urlHost):\(port)/\n" }
            line += "tuicall serve: web client at \(scheme == "wss" ? "https" : "http")://\(urlHost):\(port)/\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            throw CLIError("tuicall serve: \(error)")
        }
    }
}
