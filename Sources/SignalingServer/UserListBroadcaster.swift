import NIOCore
import Signaling
import Synchronization

/// Coalesces user-list broadcasts. Every login, rename, disconnect and call start or end marks the list
/// dirty; after a short wait one `userlist` (and one `userstatus`: who is in a call) is encoded once and
/// every connection is told a list is due.
/// A connection still writing an older list sends the newest when that write completes, so a
/// client that is behind skips stale lists instead of queueing them (clients only need the latest).
final class UserListBroadcaster: Sendable {
    private let registry: ConnectionRegistry
    private let minDelayNs: UInt64
    private let bytesPerSecond: Double
    private let latest = Mutex([ByteBuffer(string: SignalMessage.userList([]).text),
                                ByteBuffer(string: SignalMessage.userStatus(busy: []).text)])
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// Number of broadcasts made (for tests and the benchmark).
    let broadcasts = Atomic<Int>(0)

    init(registry: ConnectionRegistry, minDelayMs: Int, bytesPerSecond: Double) {
        self.registry = registry
        minDelayNs = UInt64(max(0, minDelayMs)) * 1_000_000
        self.bytesPerSecond = bytesPerSecond
        (stream, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    func changed() { continuation.yield() }
    func stop() { continuation.finish() }

    /// The newest encoded `userlist` and `userstatus` messages.
    var current: [ByteBuffer] { latest.withLock { $0 } }

    func run() async {
        var lastCostNs: UInt64 = 0
        for await _ in stream {
            // Wait long enough to absorb a burst, and longer when each broadcast is expensive
            // (N clients x list bytes), so a storm of logins cannot saturate the server.
            let delay = max(minDelayNs, min(lastCostNs, 2_000_000_000))
            if delay > 0 { try? await Task.sleep(nanoseconds: delay) }
            let (users, busy, connections) = registry.userListSnapshot()
            let buffer = ByteBuffer(bytes: SignalMessage.userList(users).json.serializedBytes())
            let status = ByteBuffer(bytes: SignalMessage.userStatus(busy: busy).json.serializedBytes())
            latest.withLock { $0 = [buffer, status] }
            for c in connections { c.userListChanged(self) }
            broadcasts.add(1, ordering: .relaxed)
            lastCostNs = UInt64(Double(buffer.readableBytes * connections.count) / bytesPerSecond * 1e9)
        }
    }
}
