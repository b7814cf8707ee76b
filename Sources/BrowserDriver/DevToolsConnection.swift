import Foundation
import HummingbirdWSClient
import Signaling
import Synchronization

/// A Chrome DevTools Protocol client over one WebSocket (HummingbirdWSClient): numbered commands
/// with per-command timeouts, and a bounded log of events for error messages.
public final class DevToolsConnection: Sendable {
    /// Largest DevTools message accepted. Default 64 MiB (screenshots and big evaluations).
    public static let maxMessageBytes = 1 << 26
    /// Default wait for a command's answer. Default 10 s.
    public static let defaultTimeout: Double = 10
    /// Events kept for diagnostics. Default 400.
    public static let eventLogLimit = 400

    private struct Pending {
        let method: String
        let continuation: CheckedContinuation<JSONObject, Error>
        let timer: Task<Void, Never>
    }
    private struct State {
        var nextID = 1
        var pending: [Int: Pending] = [:]
        var closedReason: String?
        var events: [(method: String, sessionID: String?, params: JSONObject)] = []
    }
    private let state = Mutex(State())
    private let outbox: AsyncStream<String>.Continuation
    private let outboxStream: AsyncStream<String>
    private let url: String

    private init(url: String) {
        self.url = url
        (outboxStream, outbox) = AsyncStream.makeStream(of: String.self)
    }

    /// Opens the connection; throws if it is not up within `timeout` seconds.
    public static func connect(url: String, timeout: Double = 10) async throws -> DevToolsConnection {
        let connection = DevToolsConnection(url: url)
        let (ready, readySink) = AsyncStream.makeStream(of: Void.self)
        Task {
            do {
                try await connection.run(onOpen: { readySink.yield() })
                connection.closeAll(reason: "the DevTools connection to \(url) closed")
            } catch {
                connection.closeAll(reason: "the DevTools connection to \(url) failed: \(error)")
            }
            readySink.finish()
        }
        try await withTimeout(timeout, "the DevTools WebSocket at \(url) to open") {
            var it = ready.makeAsyncIterator()
            if await it.next() == nil {
                throw BrowserError(connection.closedReason ?? "cannot connect to DevTools at \(url)")
            }
        }
        return connection
    }

    private func run(onOpen: @escaping @Sendable () -> Void) async throws {
        let outboxStream = self.outboxStream
        try await WebSocketClient.connect(
            url: url, configuration: .init(maxFrameSize: Self.maxMessageBytes), logger: quietLogger
        ) { inbound, outbound, _ in
            onOpen()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in outboxStream { try await outbound.write(.text(text)) }
                    try await outbound.close(.normalClosure, reason: nil)
                }
                for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                    if case .text(let text) = message { self.dispatch(text) }
                }
                group.cancelAll()
            }
        }
    }

    public var closedReason: String? { state.withLock { $0.closedReason } }

    /// Sends `method` and returns its `result`; throws the protocol error or a timeout naming the method.
    @discardableResult
    public func send(_ method: String, _ params: JSONObject = [:], sessionID: String? = nil,
              timeout: Double = defaultTimeout) async throws -> JSONObject {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<JSONObject, Error>) in
            let id: Int? = state.withLock { s in
                guard s.closedReason == nil else { return nil }
                let id = s.nextID
                s.nextID += 1
                let timer = Task { [weak self] in
                    try? await Task.sleep(for: .seconds(timeout))
                    guard !Task.isCancelled else { return }
                    self?.fail(id, BrowserError("DevTools \(method) got no answer within \(timeout) s"))
                }
                s.pending[id] = Pending(method: method, continuation: c, timer: timer)
                return id
            }
            guard let id else {
                c.resume(throwing: BrowserError("cannot send \(method): \(closedReason ?? "closed")"))
                return
            }
            var message: JSONObject = ["id": .int(id), "method": .string(method), "params": .object(params)]
            if let sessionID { message["sessionId"] = .string(sessionID) }
            outbox.yield(JSONValue.object(message).serialized())
        }
    }

    private func fail(_ id: Int, _ error: Error) {
        let pending = state.withLock { $0.pending.removeValue(forKey: id) }
        pending?.continuation.resume(throwing: error)
    }

    private func dispatch(_ text: String) {
        guard let message = (try? JSONParser.parse(text))?.objectValue else { return }
        if let id = message["id"]?.intValue {
            guard let pending = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return }
            pending.timer.cancel()
            if let error = message["error"]?.objectValue {
                let text = error["message"]?.stringValue ?? "error"
                let data = error["data"]?.stringValue.map { " (\($0))" } ?? ""
                pending.continuation.resume(throwing: BrowserError("DevTools \(pending.method) failed: \(text)\(data)"))
            } else {
                pending.continuation.resume(returning: message["result"]?.objectValue ?? [:])
            }
        } else if let method = message["method"]?.stringValue {
            state.withLock { s in
                s.events.append((method, message["sessionId"]?.stringValue, message["params"]?.objectValue ?? [:]))
                if s.events.count > Self.eventLogLimit { s.events.removeFirst() }
            }
        }
    }

    /// Console output and uncaught exceptions of one page, oldest first (for failure messages).
    public func consoleLines(sessionID: String) -> [String] {
        state.withLock { s in
            s.events.filter { $0.sessionID == sessionID }.compactMap { e -> String? in
                switch e.method {
                case "Runtime.consoleAPICalled":
                    let args = e.params["args"]?.arrayValue ?? []
                    let parts = args.map { a -> String in
                        let o = a.objectValue
                        return o?["value"].map { $0.stringValue ?? $0.serialized() } ?? o?["description"]?.stringValue ?? "?"
                    }
                    return "console.\(e.params["type"]?.stringValue ?? "log"): \(parts.joined(separator: " "))"
                case "Runtime.exceptionThrown":
                    let d = e.params["exceptionDetails"]?.objectValue
                    return "exception: \(d?["exception"]?.objectValue?["description"]?.stringValue ?? d?["text"]?.stringValue ?? "?")"
                default:
                    return nil
                }
            }
        }
    }

    /// Fails every waiting command and refuses new ones.
    private func closeAll(reason: String) {
        let pending = state.withLock { s -> [Pending] in
            if s.closedReason == nil { s.closedReason = reason }
            defer { s.pending.removeAll() }
            return Array(s.pending.values)
        }
        for p in pending {
            p.timer.cancel()
            p.continuation.resume(throwing: BrowserError("DevTools \(p.method): \(reason)"))
        }
        outbox.finish()
    }

    /// Closes the WebSocket (the browser keeps running).
    public func close() { outbox.finish() }
}
