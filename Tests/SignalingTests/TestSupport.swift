import BrowserDriver
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOSSL
import NIOWebSocket
import ServiceLifecycle
import Signaling
import SignalingServer
import Synchronization
import Testing
import TestSupport

/// A real WebSocket client (HummingbirdWSClient) that records what it receives.
final class WSTestClient: Sendable {
    private enum Out: Sendable { case text(String), binary([UInt8]), close }
    /// Received texts; polled rather than awaited so that a timed-out wait loses nothing.
    final class Inbox: Sendable {
        let state = Mutex<(items: [String], ended: Bool)>(([], false))
        func yield(_ t: String) { state.withLock { $0.items.append(t) } }
        func finish() { state.withLock { $0.ended = true } }
        func take() -> (String?, Bool) {
            state.withLock { s in s.items.isEmpty ? (nil, s.ended) : (s.items.removeFirst(), false) }
        }
    }
    private let inbox: Inbox
    private let out: AsyncStream<Out>.Continuation
    let task: Task<WebSocketCloseFrame?, Error>

    private init(inbox: Inbox, out: AsyncStream<Out>.Continuation, task: Task<WebSocketCloseFrame?, Error>) {
        self.inbox = inbox
        self.out = out
        self.task = task
    }

    /// Connects and waits for the server's `id` message (consumed; returned as `id`).
    static func connect(_ server: TestServer, subprotocol: String? = "json",
                        tls: TLSConfiguration? = nil) async throws -> (WSTestClient, Int) {
        let inbox = Inbox()
        let inboxSink = inbox
        let (outbox, out) = AsyncStream.makeStream(of: Out.self)
        var headers = HTTPFields()
        if let subprotocol { headers[.secWebSocketProtocol] = subprotocol }
        let url = server.url
        let task = Task {
            defer { inboxSink.finish() }
            return try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 22, additionalHeaders: headers),
                tlsConfiguration: tls, logger: quietLogger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await item in outbox {
                            switch item {
                            case .text(let t): try await outbound.write(.text(t))
                            case .binary(let b): try await outbound.write(.binary(.init(bytes: b)))
                            case .close:
                                try await outbound.close(.normalClosure, reason: nil)
                                return
                            }
                        }
                    }
                    for try await m in inbound.messages(maxSize: 1 << 22) {
                        if case .text(let t) = m { inboxSink.yield(t) }
                    }
                    out.finish()
                    group.cancelAll()
                }
            }
        }
        let client = WSTestClient(inbox: inbox, out: out, task: task)
        let first = try await client.next()
        guard first["type"]?.stringValue == "id", let id = first["id"]?.intValue else {
            throw TimeoutError(description: "first message was not id: \(first)")
        }
        return (client, id)
    }

    /// Connects and logs in; returns after a user list containing the (possibly adjusted) name.
    static func login(_ server: TestServer, as name: String) async throws -> WSTestClient {
        let (c, id) = try await connect(server)
        c.send(["type": .string("username"), "name": .string(name), "id": .int(id), "date": .int(1)])
        var final = name
        _ = try await c.waitFor { m in
            if m["type"]?.stringValue == "rejectusername", let n = m["name"]?.stringValue { final = n }
            return m["type"]?.stringValue == "userlist"
                && (m["users"]?.arrayValue ?? []).contains(.string(final))
        }
        return c
    }

    func send(_ object: JSONObject) { out.yield(.text(JSONValue.object(object).serialized())) }
    func sendRaw(_ text: String) { out.yield(.text(text)) }
    func sendBinary(_ bytes: [UInt8]) { out.yield(.binary(bytes)) }
    func close() { out.yield(.close) }

    /// The next message, parsed; throws on timeout or when the connection ends.
    func next(timeout: Double = 5) async throws -> JSONObject {
        let deadline = Date().addingTimeInterval(timeout)
        var text: String
        while true {
            let (t, ended) = inbox.take()
            if let t { text = t; break }
            if ended { throw TimeoutError(description: "connection closed") }
            if ProcessInfo.processInfo.environment["WS_DEBUG"] != nil, Date() >= deadline { print("timeout; inbox empty") }
            if Date() >= deadline { throw TimeoutError(description: "no message within \(timeout) s") }
            try await Task.sleep(for: .milliseconds(2))
        }
        guard let obj = try JSONParser.parse(text).objectValue else {
            throw TimeoutError(description: "server sent a non-object: \(text)")
        }
        return obj
    }

    /// Skips messages until one satisfies `match`.
    func waitFor(timeout: Double = 5, _ match: (JSONObject) -> Bool) async throws -> JSONObject {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw TimeoutError(description: "no matching message within \(timeout) s") }
            let m = try await next(timeout: remaining)
            if ProcessInfo.processInfo.environment["WS_DEBUG"] != nil { print("skip/match: \(JSONValue.object(m).serialized())") }
            if match(m) { return m }
        }
    }

    func waitFor(type: String, timeout: Double = 5) async throws -> JSONObject {
        try await waitFor(timeout: timeout) { $0["type"]?.stringValue == type }
    }

    /// Messages received within `seconds`, ignoring user lists (which any login may trigger).
    func drain(for seconds: Double, ignoringUserLists: Bool = true) async -> [JSONObject] {
        var got: [JSONObject] = []
        let deadline = Date().addingTimeInterval(seconds)
        while deadline.timeIntervalSinceNow > 0 {
            guard let m = try? await next(timeout: deadline.timeIntervalSinceNow) else { break }
            if ignoringUserLists && (m["type"]?.stringValue == "userlist" || m["type"]?.stringValue == "userstatus") { continue }
            got.append(m)
        }
        return got
    }

    /// Waits for the connection to end; the close frame the server sent, if any.
    func closed(timeout: Double = 5) async throws -> WebSocketCloseFrame? {
        let task = self.task
        return try await withTimeout(timeout, "the connection to close") { try await task.value }
    }
}
