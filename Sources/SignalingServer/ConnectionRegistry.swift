import NIOCore
import Signaling
import Synchronization

/// Result of a `username` message.
enum LoginResult: Equatable {
    /// Logged in (or renamed) as `name`; `adjusted` when the server had to change the requested name.
    case accepted(name: String, adjusted: Bool)
    case invalid(String)
    /// The user list would grow past its byte bound.
    case full(String)
}

/// Who is connected and under which name. All state sits behind one lock; every operation is
/// short, so contention stays low even in a login storm.
final class ConnectionRegistry: Sendable {
    private struct State {
        var nextID = 1
        var connections: [Int: ClientConnection] = [:]
        var names: [Int: String] = [:]
        /// Exact names, for routing by `target`.
        var idByName: [String: Int] = [:]
        /// Uniqueness keys (`UsernameRules.key`) of the logged-in names.
        var keys: [Int: String] = [:]
        var idByKey: [String: Int] = [:]
        /// Bytes the names take in a `userlist` message (each quoted and escaped, plus a comma).
        var listBytes = 0
        /// Who is in a call with whom (both directions), as the routed offers, answers and hang-ups tell.
        var partner: [Int: Int] = [:]
        /// Who said, after logging in again, that its call with whom goes on (one claim per connection).
        var resumeClaim: [Int: Int] = [:]
    }
    private let state = Mutex(State())
    let rules: UsernameRules
    let maxUserListBytes: Int
    /// What an empty `{"type":"userlist","users":[]}` costs.
    private static let listOverhead = SignalMessage.userList([]).text.utf8.count

    init(rules: UsernameRules, maxUserListBytes: Int) {
        self.rules = rules
        self.maxUserListBytes = maxUserListBytes
    }

    func add(channel: any Channel, maxPendingBytes: Int,
             onOverflow: @escaping @Sendable (ClientConnection) -> Void) -> ClientConnection {
        state.withLock { s in
            let c = ClientConnection(id: s.nextID, channel: channel, maxPendingBytes: maxPendingBytes,
                                     onOverflow: onOverflow)
            s.nextID += 1
            s.connections[c.id] = c
            return c
        }
    }

    /// Forgets a connection; true when it had a username (the user list changed). Idempotent.
    func remove(_ id: Int) -> Bool {
        state.withLock { s in
            s.connections[id] = nil
            Self.unpair(id, &s)
            Self.dropClaims(id, &s)
            guard let name = s.names.removeValue(forKey: id) else { return false }
            s.idByName[name] = nil
            if let key = s.keys.removeValue(forKey: id) { s.idByKey[key] = nil }
            s.listBytes -= Self.listCost(name)
            return true
        }
    }

    /// The original server's rule (on a clash append 1, 2, ... until the name is free), with uniqueness up
    /// to case, compatibility forms and confusables. A connection renaming itself keeps its own name free.
    func login(_ id: Int, requested raw: String) -> LoginResult {
        let requested: String
        switch rules.validate(raw) {
        case .failure(let why): return .invalid(why.description)
        case .success(let n): requested = n
        }
        // Keys cost an ICU call each: computed outside the lock.
        var candidates: [(name: String, key: String)] = [(requested, UsernameRules.key(requested))]
        while true {
            let outcome = state.withLock { s -> LoginResult? in
                guard s.connections[id] != nil else { return .invalid("connection closed") }
                guard let free = candidates.first(where: { c in s.idByKey[c.key].map { $0 == id } ?? true }) else {
                    return nil
                }
                let old = s.names[id]
                let delta = Self.listCost(free.name) - (old.map(Self.listCost) ?? 0)
                if Self.listOverhead + s.listBytes + delta > maxUserListBytes {
                    return .full("the server's user list is full (\(maxUserListBytes) bytes); try later or a shorter name")
                }
                if let oldKey = s.keys[id] { s.idByKey[oldKey] = nil }
                if let old { s.idByName[old] = nil }
                s.names[id] = free.name
                s.idByName[free.name] = id
                s.keys[id] = free.key
                s.idByKey[free.key] = id
                s.listBytes += delta
                return .accepted(name: free.name, adjusted: free.name != requested)
            }
            if let outcome { return outcome }
            // Every candidate so far is taken: try the next batch of numbered names.
            let n = candidates.count
            candidates = (n..<(n + 8)).map { i in
                let name = requested + String(i)
                return (name, UsernameRules.key(name))
            }
            if n > 100_000 { return .invalid("no free variant of this name") }
        }
    }

    func username(of id: Int) -> String? { state.withLock { $0.names[id] } }

    /// `a` answered `b`'s offer: both are in a call (with each other only). True when that changed anything.
    @discardableResult
    func pair(_ a: Int, _ b: Int) -> Bool {
        state.withLock { s in
            guard s.partner[a] != b else { return false }
            Self.link(a, b, &s)
            return true
        }
    }

    /// `a` says its call with `b` survived a server restart (`call-resume`): the two are paired again once `b`
    /// has said the same of `a`, so no one can mark others busy alone. True when that paired them.
    @discardableResult
    func resume(_ a: Int, with b: Int) -> Bool {
        state.withLock { s in
            guard s.resumeClaim[b] == a else {
                s.resumeClaim[a] = b
                return false
            }
            guard s.partner[a] != b else { return false }
            Self.link(a, b, &s)
            return true
        }
    }

    private static func link(_ a: Int, _ b: Int, _ s: inout State) {
        unpair(a, &s)
        unpair(b, &s)
        dropClaims(a, &s)
        dropClaims(b, &s)
        s.partner[a] = b
        s.partner[b] = a
    }

    private static func dropClaims(_ id: Int, _ s: inout State) {
        s.resumeClaim[id] = nil
        for (claimant, claimed) in s.resumeClaim where claimed == id { s.resumeClaim[claimant] = nil }
    }

    /// `id` hung up: on its partner when `target` is nil (the MDN page's hang-up) or names the partner.
    /// True when a call ended.
    @discardableResult
    func hangUp(_ id: Int, target: String?) -> Bool {
        state.withLock { s in
            guard let other = s.partner[id] else { return false }
            if let target, s.names[other] != target { return false }
            Self.unpair(id, &s)
            return true
        }
    }

    private static func unpair(_ id: Int, _ s: inout State) {
        if let other = s.partner.removeValue(forKey: id) { s.partner[other] = nil }
    }

    func connection(named name: String) -> ClientConnection? {
        state.withLock { s in s.idByName[name].flatMap { s.connections[$0] } }
    }

    func allConnections() -> [ClientConnection] { state.withLock { Array($0.connections.values) } }

    /// Connections with a username: public messages go to them only.
    func loggedInConnections() -> [ClientConnection] {
        state.withLock { s in s.names.keys.compactMap { s.connections[$0] } }
    }

    /// Logged-in names in connection order (as the original server lists them), those in a call, and their
    /// connections.
    func userListSnapshot() -> (users: [String], busy: [String], connections: [ClientConnection]) {
        state.withLock { s in
            let users = s.names.sorted { $0.key < $1.key }
            let busy = users.filter { s.partner[$0.key] != nil }.map(\.value)
            return (users.map(\.value), busy, users.compactMap { s.connections[$0.key] })
        }
    }

    var counts: (connections: Int, users: Int) { state.withLock { ($0.connections.count, $0.names.count) } }

    /// Bytes `name` adds to a `userlist` message: the JSON string and a comma.
    static func listCost(_ name: String) -> Int { JSONValue.string(name).serialized().utf8.count + 1 }
}
