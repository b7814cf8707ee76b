import Synchronization

/// The sinks one kind of received media goes to; changeable while running.
final class SinkSet<Sink: Sendable>: Sendable {
    private let sinks = Mutex<[Sink]>([])
    func add(_ sink: Sink) { sinks.withLock { $0.append(sink) } }
    var all: [Sink] { sinks.withLock { $0 } }
}
