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
        config.tlsCertificatePath = tlsCert
        config.tlsKeyPath = tlsKey
        config.staticFiles = WebClient.staticFiles
        let logger = Logger(label: "tuicall.serve")
        let scheme = tlsCert == nil ? "ws" : "wss"
        let server = SignalingServer(configuration: config, logger: logger) { [host] port in
            // One line on stdout so scripts (and `bench server`) learn the port.
            let line = "tuicall serve: listening on \(scheme)://\(host):\(port)/ (http://\(host):\(port)/healthz)\n"
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
