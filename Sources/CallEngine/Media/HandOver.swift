/// Hands a non-Sendable object (a codec) over to the one thread that will own it from then on.
final class HandOver<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
