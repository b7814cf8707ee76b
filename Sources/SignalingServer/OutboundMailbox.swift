import NIOCore
import NIOWebSocket
import Synchronization

/// What a connection's writer task should do next.
struct OutboundBatch: Sendable {
    var messages: [ByteBuffer] = []
    /// Send the newest user list (coalesced: however many changes happened, one list goes out).
    var userList: ByteBuffer?
    /// Close the connection after the messages, with this code and reason.
    var close: (code: WebSocketErrorCode, reason: String)?
    /// The connection is gone; stop.
    var finished = false
}

/// The queue between everyone who sends to a connection and that connection's single writer
/// task. Senders never wait: a client too slow to drain `limit` messages is disconnected rather
/// than slowing down the sender or growing memory without bound.
final class OutboundMailbox: Sendable {
    private struct State {
        var queue = CircularBuffer<ByteBuffer>(initialCapacity: 4)
        var userListPending = false
        var close: (code: WebSocketErrorCode, reason: String)?
        var finished = false
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Queues a message; false (and a pending close) when the client has fallen too far behind.
    @discardableResult
    func enqueue(_ buffer: ByteBuffer) -> Bool {
        let (ok, waiter) = state.withLock { s -> (Bool, CheckedContinuation<Void, Never>?) in
            guard !s.finished, s.close == nil else { return (false, nil) }
            if s.queue.count >= limit {
                s.close = (.policyViolation, "send queue overflow: client too slow")
                s.queue.removeAll()
                return (false, s.waiter.take())
            }
            s.queue.append(buffer)
            return (true, s.waiter.take())
        }
        waiter?.resume()
        return ok
    }

    func markUserListPending() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard !s.finished else { return nil }
            s.userListPending = true
            return s.waiter.take()
        }
        waiter?.resume()
    }

    /// Sends the queued messages, then a close frame.
    func close(code: WebSocketErrorCode, reason: String) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.close == nil { s.close = (code, reason) }
            return s.waiter.take()
        }
        waiter?.resume()
    }

    /// The socket is gone: the writer stops without sending anything more.
    func finish() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.finished = true
            return s.waiter.take()
        }
        waiter?.resume()
    }

    /// Waits for work. `currentUserList` is read only when a list is due, so the newest one goes out.
    func next(currentUserList: () -> ByteBuffer) async -> OutboundBatch {
        while true {
            let batch = state.withLock { s -> OutboundBatch? in
                if s.finished { return OutboundBatch(finished: true) }
                guard !s.queue.isEmpty || s.userListPending || s.close != nil else { return nil }
                var b = OutboundBatch()
                b.messages = Array(s.queue)
                s.queue.removeAll(keepingCapacity: true)
                if s.userListPending { b.userList = ByteBuffer() }
                s.userListPending = false
                b.close = s.close
                return b
            }
            if var batch {
                if batch.userList != nil { batch.userList = currentUserList() }
                return batch
            }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.finished || !s.queue.isEmpty || s.userListPending || s.close != nil { return true }
                    s.waiter = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }
}
