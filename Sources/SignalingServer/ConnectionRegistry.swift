import NIOCore
import Synchronization

/// Result of a `username` message.
enum LoginResult: Equatable {
    /// Logged in (or renamed) as `name`; `adjusted` when the server had to change the requested name.
    case accepted(name: String, adjusted: Bool)
    case invalid(String)
}

/// Who is connected and under which name. All state sits behind one lock; every operation is
/// short, so contention stays low even in a login storm.
final class ConnectionRegistry: Sendable {
    private struct State {
        var nextID = 1
        var connections: [Int: ClientConnection] = [:]
        var names: [Int: String] = [:]
        var idByName: [String: Int] = [:]
    }
    private let state = Mutex(State())
    let maxNameLength: Int

    init(maxNameLength: Int) { self.maxNameLength = maxNameLength }

    func add(channel: any Channel, maxPendingBytes: Int) -> ClientConnection {
        state.withLock { s in
            let c = ClientConnection(id: s.nextID, channel: channel, maxPendingBytes: maxPendingBytes)
            s.nextID += 1
            s.connections[c.id] = c
            return c
        }
    }

    /// Forgets a connection; true when it had a username (the user list changed).
    func remove(_ id: Int) -> Bool {
        state.withLock { s in
            s.connections[id] = nil
            guard let name = s.names.removeValue(forKey: id) else { return false }
            s.idByName[name] = nil
            return true
        }
    }

    /// The original server's rule: exact, case-sensitive uniqueness; on a clash append 1, 2, ...
    /// until the name is free. A connection renaming itself keeps its own name free.
    func login(_ id: Int, requested raw: String) -> LoginResult {
        let requested = raw.trimmingWhitespace()
        if requested.isEmpty { return .invalid("username must not be empty") }
        if requested.count > maxNameLength { return .invalid("username longer than \(maxNameLength) characters") }
        if requested.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return .invalid("username must not contain control characters")
        }
        return state.withLock { s in
            guard s.connections[id] != nil else { return .invalid("connection closed") }
            var name = requested
            var n = 1
            while let owner = s.idByName[name], owner != id {
                name = requested + String(n)
                n += 1
            }
            if let old = s.names[id] { s.idByName[old] = nil }
            s.names[id] = name
            s.idByName[name] = id
            return .accepted(name: name, adjusted: name != requested)
        }
    }

    func username(of id: Int) -> String? { state.withLock { $0.names[id] } }

    func connection(named name: String) -> ClientConnection? {
        state.withLock { s in s.idByName[name].flatMap { s.connections[$0] } }
    }

    func allConnections() -> [ClientConnection] { state.withLock { Array($0.connections.values) } }

    /// Logged-in names in connection order (as the original server lists them), and every connection.
    func userListSnapshot() -> (users: [String], connections: [ClientConnection]) {
        state.withLock { s in
            let users = s.names.sorted { $0.key < $1.key }.map(\.value)
            return (users, Array(s.connections.values))
        }
    }

    var counts: (connections: Int, users: Int) { state.withLock { ($0.connections.count, $0.names.count) } }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
