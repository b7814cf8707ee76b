import Foundation
import NIOCore
import NIOWebSocket
import Signaling

/// Applies the chat server's rules to one text message from one connection: login, chat,
/// and routing by `target`. Every refusal is answered with an `error` message to that
/// connection only; the worst a client can do is get itself disconnected.
struct MessageRouter: Sendable {
    let registry: ConnectionRegistry
    let broadcaster: UserListBroadcaster

    enum Verdict: Equatable { case keepOpen, close }

    func handle(text buffer: ByteBuffer, from sender: ClientConnection) -> Verdict {
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
        if type == "username" {
            login(message, from: sender)
            return .keepOpen
        }
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
            guard let receiver = registry.connection(named: target) else {
                reply(sender, code: "unknown-target", "no user named \"\(target)\" is online; \(type) dropped")
                return .keepOpen
            }
            receiver.send(buffer)
        } else {
            for c in registry.allConnections() { c.send(buffer) }
        }
        return .keepOpen
    }

    private func login(_ message: JSONObject, from sender: ClientConnection) {
        guard let requested = message["name"]?.stringValue else {
            reply(sender, code: "invalid-username", "\"name\" must be a string")
            return
        }
        switch registry.login(sender.id, requested: requested) {
        case .invalid(let why):
            reply(sender, code: "invalid-username", why)
        case .accepted(let name, let adjusted):
            if adjusted {
                let m = SignalMessage.rejectUsername(name: name, id: sender.id)
                sender.send(ByteBuffer(bytes: m.json.serializedBytes()))
            }
            broadcaster.changed()
        }
    }

    @discardableResult
    func reply(_ c: ClientConnection, code: String, _ text: String) -> EventLoopFuture<Void> {
        c.send(ByteBuffer(bytes: SignalMessage.error(code: code, text: text).json.serializedBytes()))
    }
}
