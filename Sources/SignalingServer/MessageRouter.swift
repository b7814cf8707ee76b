import Foundation
import NIOCore
import NIOWebSocket
import Signaling

/// Applies the chat server's rules to the text messages of one connection: login, chat, and routing by
/// `target`. Every refusal is answered with an `error` message to that connection only; the worst a
/// client can do is get itself disconnected.
struct MessageRouter: Sendable {
    let registry: ConnectionRegistry
    let broadcaster: UserListBroadcaster
    let limits: Limits
    /// Bytes × recipients this sender may still broadcast.
    private var fanout: TokenBucket
    private var badTokens = 0

    /// What the router enforces, from the server's configuration.
    struct Limits: Sendable {
        var tokens: AccessTokens?
        var history: ChatHistory
        /// Shared by every connection: the server's whole broadcast budget.
        var serverFanout: SharedTokenBucket
        var fanoutPerSecond: Double
        var fanoutBurst: Double
        /// Wrong tokens a connection may present before it is closed.
        var maxBadTokens = 3
    }

    enum Verdict: Equatable { case keepOpen, close(String) }

    init(registry: ConnectionRegistry, broadcaster: UserListBroadcaster, limits: Limits) {
        self.registry = registry
        self.broadcaster = broadcaster
        self.limits = limits
        fanout = TokenBucket(rate: limits.fanoutPerSecond, burst: limits.fanoutBurst,
                             nowNs: DispatchTime.now().uptimeNanoseconds)
    }

    mutating func handle(text buffer: ByteBuffer, from sender: ClientConnection) -> Verdict {
        let parsed = buffer.withUnsafeReadableBytes { raw in
            Result { () throws(JSONParseError) in try JSONParser.parse(bytes: raw.bindMemory(to: UInt8.self)) }
        }
        let value: JSONValue
        switch parsed {
        case .success(let v): value = v
        case .failure(let error):
            reply(sender, code: "invalid-json", "\(error)")
            return .keepOpen
        }
        guard var message = value.objectValue else {
            reply(sender, code: "not-an-object", "a message must be a JSON object")
            return .keepOpen
        }
        guard let type = message["type"]?.stringValue else {
            reply(sender, code: "missing-type", "a message needs a string \"type\"")
            return .keepOpen
        }
        // Relaying these would let a user speak for the server (fake user lists, renames, errors).
        if SignalMessage.serverOnlyTypes.contains(type) {
            reply(sender, code: "reserved-type", "\"\(type)\" messages come only from the server; not relayed")
            return .keepOpen
        }
        if type == "username" { return login(message, from: sender) }
        guard let name = registry.username(of: sender.id) else {
            reply(sender, code: "not-logged-in", "send a \"username\" message before \"\(type)\"")
            return .keepOpen
        }
        // The sender is who its connection says, whatever the message claims.
        message["name"] = .string(name)
        if type == "message" {
            guard let text = message["text"]?.stringValue else {
                reply(sender, code: "invalid-message", "a chat message needs a string \"text\"")
                return .keepOpen
            }
            message["text"] = .string(stripHTMLTags(text))
            message["date"] = .int(Int64(Date().timeIntervalSince1970 * 1000))
        }
        let target: String?
        switch message["target"] {
        case nil, .null?: target = nil
        case .string(let t)?: target = t.isEmpty ? nil : t
        default:
            reply(sender, code: "invalid-target", "\"target\" must be a username, null or absent")
            return .keepOpen
        }
        let buffer = ByteBuffer(bytes: JSONValue.object(message).serializedBytes())
        if let target {
            guard let receiver = registry.connection(named: target), receiver.send(buffer) != nil else {
                reply(sender, code: "unknown-target", "no user named \"\(target)\" is online; \(type) dropped")
                return .keepOpen
            }
            // An answer starts a call: both are busy until one hangs up or leaves.
            if type == "video-answer", registry.pair(sender.id, receiver.id) { broadcaster.changed() }
            // Both sides of a call that outlived a server restart said so: busy again.
            if type == SignalMessage.callResumeType, registry.resume(sender.id, with: receiver.id) { broadcaster.changed() }
        } else if broadcast(buffer, type: type, from: sender), type == "message" {
            limits.history.append(message)
        }
        if type == "hang-up", registry.hangUp(sender.id, target: target) { broadcaster.changed() }
        return .keepOpen
    }

    /// Public messages go to logged-in users only, within the sender's and the server's fan-out budgets
    /// (bytes × recipients), so no sender can keep the server busy writing.
    @discardableResult
    private mutating func broadcast(_ buffer: ByteBuffer, type: String, from sender: ClientConnection) -> Bool {
        let recipients = registry.loggedInConnections()
        let cost = Double(buffer.readableBytes * recipients.count)
        let now = DispatchTime.now().uptimeNanoseconds
        guard fanout.take(cost, nowNs: now) else {
            reply(sender, code: "broadcast-limited",
                  "\(type) to everyone (\(recipients.count) users × \(buffer.readableBytes) bytes) is over your "
                  + "broadcast budget (\(Int(limits.fanoutPerSecond / 1000)) kB/s × users); not sent")
            return false
        }
        guard limits.serverFanout.take(cost, nowNs: now) else {
            reply(sender, code: "server-busy", "the server is busy with broadcasts; \(type) not sent, try again")
            return false
        }
        for c in recipients { c.send(buffer) }
        return true
    }

    private mutating func login(_ message: JSONObject, from sender: ClientConnection) -> Verdict {
        guard let requested = message["name"]?.stringValue else {
            reply(sender, code: "invalid-username", "\"name\" must be a string")
            return .keepOpen
        }
        if let tokens = limits.tokens {
            guard let token = message["token"]?.stringValue else {
                reply(sender, code: "token-required", "this server needs an access token to log in")
                return .keepOpen
            }
            guard tokens.accepts(token) else {
                badTokens += 1
                reply(sender, code: "bad-token", "the access token is not valid")
                return badTokens >= limits.maxBadTokens ? .close("too many invalid access tokens") : .keepOpen
            }
        }
        let firstLogin = registry.username(of: sender.id) == nil
        switch registry.login(sender.id, requested: requested) {
        case .invalid(let why):
            reply(sender, code: "invalid-username", why)
        case .full(let why):
            reply(sender, code: "server-full", why)
        case .accepted(let name, let adjusted):
            if adjusted {
                let m = SignalMessage.rejectUsername(name: name, id: sender.id)
                sender.send(ByteBuffer(bytes: m.json.serializedBytes()))
            }
            // A newcomer sees what was just said.
            if firstLogin, let history = limits.history.message() { sender.send(ByteBuffer(bytes: history.serializedBytes())) }
            broadcaster.changed()
        }
        return .keepOpen
    }

    @discardableResult
    func reply(_ c: ClientConnection, code: String, _ text: String) -> EventLoopFuture<Void>? {
        c.send(ByteBuffer(bytes: SignalMessage.error(code: code, text: text).json.serializedBytes()))
    }
}
