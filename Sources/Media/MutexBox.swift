import Synchronization

/// A `Mutex` shared by reference, for state that closures on several threads hold (a `Mutex` itself
/// cannot be copied into them). Mutex is the one lock type of the media code.
public final class MutexBox<Value>: Sendable {
    private let mutex: Mutex<Value>

    public init(_ value: sending Value) { mutex = Mutex(value) }

    public func withLock<Result>(_ body: (inout sending Value) throws -> sending Result) rethrows -> sending Result {
        try mutex.withLock(body)
    }
}

extension MutexBox where Value: Sendable {
    /// A copy of the value.
    public var value: Value {
        get { mutex.withLock { $0 } }
        set { mutex.withLock { $0 = newValue } }
    }
}
