import NIOCore
import NIOWebSocket
import Synchronization

/// One WebSocket connection as the server sees it. Its identity is this object, never anything
/// the client says about itself.
///
/// Senders write straight into the connection's NIO channel (thread-safe, never blocking), so
/// routing a message costs no task switch. Memory stays bounded: a client that lets more than
/// `maxPendingBytes` pile up unread is cut off at once (a close frame would wait behind the backlog it
/// does not read), and `onOverflow` takes it off the user list, so nobody's messages vanish into it.
final class ClientConnection: Sendable {
    let id: Int
    private let channel: any Channel
    private let maxPendingBytes: Int
    private struct State {
        var pendingBytes = 0
        var closed = false
        var userListInFlight = false
        var userListDirty = false
    }
    private let state = Mutex(State())
    private let onOverflow: @Sendable (ClientConnection) -> Void

    init(id: Int, channel: any Channel, maxPendingBytes: Int,
         onOverflow: @escaping @Sendable (ClientConnection) -> Void) {
        self.id = id
        self.channel = channel
        self.maxPendingBytes = maxPendingBytes
        self.onOverflow = onOverflow
    }

    /// Queues one text message; the future completes when it has been written to the socket. nil when the
    /// connection is gone (closed, or cut off by this very message overflowing its queue).
    @discardableResult
    func send(_ buffer: ByteBuffer) -> EventLoopFuture<Void>? {
        let size = buffer.readableBytes
        let verdict = state.withLock { s -> Bool? in
            if s.closed { return nil }
            if s.pendingBytes + size > maxPendingBytes {
                s.closed = true
                return false
            }
            s.pendingBytes += size
            return true
        }
        switch verdict {
        case nil:
            return nil
        case false?:
            // No close handshake: pending writes are discarded with the socket.
            channel.close(promise: nil)
            onOverflow(self)
            return nil
        case true?:
            let written = channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .text, data: buffer))
            written.whenComplete { [self] _ in state.withLock { $0.pendingBytes -= size } }
            return written
        }
    }

    /// The user list changed: send the newest one, unless one is still being written, in which
    /// case the newest is sent when that write completes (stale lists are skipped, not queued).
    func userListChanged(_ broadcaster: UserListBroadcaster) {
        let writeNow = state.withLock { s -> Bool in
            if s.closed { return false }
            if s.userListInFlight {
                s.userListDirty = true
                return false
            }
            s.userListInFlight = true
            return true
        }
        guard writeNow else { return }
        var written: EventLoopFuture<Void>?
        for buffer in broadcaster.current { written = send(buffer) }
        guard let written else {
            state.withLock { $0.userListInFlight = false }
            return
        }
        written.whenComplete { [self] _ in
            let again = state.withLock { s -> Bool in
                s.userListInFlight = false
                defer { s.userListDirty = false }
                return s.userListDirty && !s.closed
            }
            if again { userListChanged(broadcaster) }
        }
    }

    /// A WebSocket ping: keeps NAT bindings open and makes a vanished peer's socket error out.
    func ping() {
        guard !state.withLock({ $0.closed }) else { return }
        channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .ping, data: channel.allocator.buffer(capacity: 0)),
                              promise: nil)
    }

    /// Stops all further sends (the socket is gone or going).
    func markClosed() { state.withLock { $0.closed = true } }
}
