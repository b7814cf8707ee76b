import Signaling
import Synchronization

/// The last public chat lines (as routed: name and date set, tags stripped), sent to each user who logs in
/// so a newcomer sees what was just said. Kept in memory only. Default 100 lines.
final class ChatHistory: Sendable {
    let capacity: Int
    private let lines = Mutex<[JSONValue]>([])

    init(capacity: Int) { self.capacity = capacity }

    func append(_ message: JSONObject) {
        guard capacity > 0 else { return }
        lines.withLock { l in
            l.append(.object(message))
            if l.count > capacity { l.removeFirst(l.count - capacity) }
        }
    }

    /// The `history` message, or nil when nothing was said yet.
    func message() -> JSONValue? {
        let all = lines.withLock { $0 }
        guard !all.isEmpty else { return nil }
        return .object(["type": "history", "messages": .array(all)])
    }
}
