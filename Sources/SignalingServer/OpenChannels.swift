import NIOCore
import Synchronization

/// Every WebSocket channel still open, so a shutdown can end the ones whose clients never answer the
/// close handshake (a frozen or vanished machine keeps its TCP connection open for a long time).
final class OpenChannels: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func add(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        channels.withLock { $0[key] = channel }
        channel.closeFuture.whenComplete { [self] _ in _ = channels.withLock { $0.removeValue(forKey: key) } }
    }

    var count: Int { channels.withLock { $0.count } }

    /// Closes every channel at once (no close handshake).
    func closeAll() {
        for channel in channels.withLock({ Array($0.values) }) { channel.close(promise: nil) }
    }
}
