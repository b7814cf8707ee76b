import ArgumentParser
import CNcursesw
import CallEngine
import Foundation
import Logging
import Media
import SignalingClient
import Synchronization

/// `tuicall client` (the default command): the terminal chat and video-call client.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Chat and call from the terminal (the default command).",
        discussion: """
            Settings also come from $XDG_CONFIG_HOME/tuicall/config (default ~/.config/tuicall/config): \
            `key = value` lines with any long option below as the key (`server = ws://host:6503`; flags take \
            true or false: `bell = false`). The command line wins. Logs go to a file, never to the terminal.
            """)

    /// Host and port tried (and served, when nobody answers) without --server.
    static let defaultHost = "127.0.0.1"
    static let defaultPort = 6503

    @Option(help: "Signaling server URL (default: ws://127.0.0.1:6503, started inside this process when none answers).")
    var server: String?
    @Option(help: "Your name in the user list (default: $USER).")
    var name: String?
    @Option(help: "Camera: /dev/videoN, a .y4m file, 'test' (moving test pattern) or 'none' (default: /dev/video0, falling back to the test pattern).")
    var camera: String?
    @Option(help: "Microphone: an ALSA device, a .wav file, 'test' or 'none' (default: default).")
    var mic: String?
    @Option(help: "Speaker: an ALSA device, a .wav file or 'none' (default: default).")
    var speaker: String?
    @Option(help: "Video drawing: half, quadrant or ascii (default: detected).")
    var render: String?
    @Option(help: "Colours: 24bit, 256, 16 or mono (default: detected from COLORTERM and terminfo).")
    var color: String?
    @Option(help: "Log file (default: $XDG_STATE_HOME/tuicall/tuicall.log).")
    var log: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"
    @Option(help: "Access token for a server started with --token-file.")
    var token: String?
    @Option(help: "Seconds a call rings (either way) before it ends unanswered.")
    var ringTimeout = CallOptions.defaultRingTimeoutSeconds
    @Option(help: "PEM file of certificates to trust for wss:// (e.g. a self-signed server's).")
    var caFile: String?
    @Flag(inversion: .prefixedNo, help: "Accept incoming calls without asking.")
    var autoAnswer = false
    @Flag(inversion: .prefixedNo, help: "Ring the terminal bell on incoming calls (the title changes either way).")
    var bell = true
    @Flag(help: "Keep retrying even after problems retrying cannot fix (an untrusted certificate, a refused protocol).")
    var keepRetrying = false
    @Flag(name: .customLong("no-log"), help: "Do not write conversations to $XDG_STATE_HOME/tuicall/logs/.")
    var noLog = false
    @OptionGroup var ice: IceOptions
    /// The port tried (and hosted) without --server; tests use another.
    @Option(help: .hidden) var defaultPort = ClientCommand.defaultPort

    func validate() throws {
        guard ringTimeout > 0 else { throw ValidationError("--ring-timeout must be a positive number of seconds") }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ValidationError("--ca-file \(caFile): no readable file there")
        }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings = try ClientSettings.make(server: server, name: name, camera: camera, mic: mic, speaker: speaker,
                                               render: render, color: color, log: log, token: token,
                                               autoAnswer: autoAnswer, environment: environment)
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CLIError("unknown log level \(logLevel): use trace, debug, info, notice, warning, error or critical")
        }
        try LogSetup.bootstrap(path: settings.log, level: level)
        let logger = Logger(label: "tuicall.client")
        setlocale(LC_ALL, "")
        let utf8 = tui_locale_is_utf8() != 0

        var serverURL = settings.server ?? ClientSettings.defaultServer
        // Without --server: join the default address, or host the server there (and take it over later).
        let embedded = settings.server == nil ? EmbeddedServerHost(host: Self.defaultHost, port: defaultPort) : nil
        if let embedded {
            try await embedded.startOrJoin()
            serverURL = "ws://\(Self.defaultHost):\(defaultPort)"
        }
        logger.info("client starting", metadata: ["server": "\(serverURL)", "name": "\(settings.name)",
                                                  "camera": "\(settings.camera)", "embedded": "\(embedded?.server != nil)"])
        let tls = try caFile.map { try SignalingClient.tlsConfiguration(trusting: $0) }
        let signaling = SignalingClient(url: serverURL, name: settings.name, logger: Logger(label: "tuicall.signaling"),
                                        reconnect: ReconnectPolicy(retryUnfixable: keepRetrying),
                                        tlsConfiguration: tls, token: settings.token)
        let camera = LocalCamera.make(spec: settings.camera)
        let remoteFrames = LatestFrameMailbox()
        let call = CallEngineAdapter(context: CallContext(signaling: signaling, remoteVideo: remoteFrames,
                                                   localCamera: camera, ice: try ice.configuration(),
                                                   micSpec: settings.mic, speakerSpec: settings.speaker,
                                                   autoAnswer: settings.autoAnswer, ringTimeoutSeconds: ringTimeout))
        var uiOptions = TerminalUI.Options(settings: settings, serverLabel: serverURL,
                                           serverNote: embedded?.server != nil ? "embedded" : nil, utf8: utf8,
                                           colorTerm: environment["COLORTERM"], startupMessages: [])
        uiOptions.bell = bell
        uiOptions.chatLogFiles = noLog ? nil : ChatLogFiles(directory: ChatLogFiles.defaultDirectory(environment: environment),
                                                            server: serverURL)
        uiOptions.embedded = embedded
        let ui: TerminalUI
        do {
            ui = try TerminalUI(options: uiOptions, signaling: signaling, callControl: call, remoteFrames: remoteFrames,
                                camera: camera)
        } catch {
            camera?.stop()
            await embedded?.stop()
            throw error
        }
        let signalingTask = Task {
            for await event in signaling.events {
                ui.post(.signaling(event))
                // The server we joined is gone: one of its clients hosts it again on the same port.
                if case .state(.disconnected) = event, let embedded, embedded.server == nil, await embedded.takeOver() {
                    ui.post(.serverNote("embedded: took over"))
                }
            }
        }
        let callTask = Task { for await event in call.events { ui.post(.call(event)) } }
        signaling.start()
        let outcome = await Self.runOnUIThread { try ui.run() }
        // The terminal is already restored here; the rest only releases resources.
        camera?.stop()
        await signaling.stop()
        signalingTask.cancel()
        callTask.cancel()
        await embedded?.stop()
        switch outcome {
        case .success(.quit):
            logger.info("client quit")
        case .success(.signal(let sig)):
            logger.info("client stopped by signal \(sig)")
            throw ExitCode(128 + sig)
        case .failure(let error):
            logger.error("client failed: \(error)")
            throw error
        }
    }

    /// Runs the UI on its own thread (it blocks in poll(2); the cooperative pool must not).
    static func runOnUIThread(_ body: @escaping @Sendable () throws -> UIExit) async -> Result<UIExit, any Error> {
        let thread = Mutex<MediaThread?>(nil)
        let result = await withCheckedContinuation { continuation in
            let started = MediaThread(name: "tuicall-ui") { _ in continuation.resume(returning: Result { try body() }) }
            thread.withLock { $0 = started }
        }
        thread.withLock { $0 }?.stopAndJoin()  // it has returned already; this only reaps it
        return result
    }
}
