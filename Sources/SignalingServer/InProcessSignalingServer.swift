import Logging
import ServiceLifecycle
import Synchronization

/// A `SignalingServer` running inside this process (the client's embedded server, tests): started
/// and listening when `start` returns, stopped with close frames and its port released by `stop`.
/// Process signals are left to the host program (`tuicall serve` installs its own handling).
public final class InProcessSignalingServer: Sendable {
    /// Default wait for the server to listen.
    public static let defaultStartTimeout: Duration = .seconds(10)
    /// Default wait for a graceful stop before the server's task is cancelled.
    public static let defaultStopTimeout: Duration = .seconds(5)

    public let server: SignalingServer
    /// The bound port (the configured one, or the one the system picked for port 0).
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(server: SignalingServer, port: Int, group: ServiceGroup, task: Task<Void, Never>) {
        self.server = server; self.port = port; self.group = group; self.task = task
    }

    /// Starts the server and waits until it listens; throws `SignalingServerError` saying why it did not.
    public static func start(configuration: SignalingServerConfiguration, logger: Logger,
                             startTimeout: Duration = defaultStartTimeout) async throws -> InProcessSignalingServer {
        let (listening, listeningSink) = AsyncStream<Int>.makeStream()
        let server = SignalingServer(configuration: configuration, logger: logger) { port in
            listeningSink.yield(port)
            listeningSink.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [],
                                                      logger: logger))
        let failure = Mutex<String?>(nil)
        let task = Task {
            do { try await group.run() } catch {
                failure.withLock { $0 = "\(error)" }
                logger.error("in-process signaling server stopped", metadata: ["error": "\(error)"])
            }
            listeningSink.finish()
        }
        let timeout = Task {
            try? await Task.sleep(for: startTimeout)
            listeningSink.finish()
        }
        defer { timeout.cancel() }
        for await bound in listening {
            return InProcessSignalingServer(server: server, port: bound, group: group, task: task)
        }
        task.cancel()
        let why = failure.withLock { $0 } ?? "it did not start listening within \(startTimeout)"
        throw SignalingServerError(description: "cannot start the signaling server on "
                                   + "\(configuration.host):\(configuration.port): \(why)")
    }

    /// Closes every connection (close frames) and releases the port; cancels the server if that takes
    /// longer than `timeout`. Returns false when it had to cancel.
    @discardableResult
    public func stop(timeout: Duration = defaultStopTimeout) async -> Bool {
        await group.triggerGracefulShutdown()
        let cancelled = Mutex(false)
        let watchdog = Task { [task] in
            try? await Task.sleep(for: timeout)
            guard !Task.isCancelled else { return }
            cancelled.withLock { $0 = true }
            task.cancel()
        }
        await task.value
        watchdog.cancel()
        return !cancelled.withLock { $0 }
    }
}
