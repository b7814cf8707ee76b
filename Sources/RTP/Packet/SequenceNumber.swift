/// Wraparound-aware arithmetic on 16-bit RTP sequence numbers (RFC 3550 §A.1, RFC 1982 style).
package enum SequenceNumber {
    /// Signed distance from `a` forward to `b` in -32768...32767 (positive when `b` is newer).
    @inlinable package static func distance(from a: UInt16, to b: UInt16) -> Int {
        Int(Int16(bitPattern: b &- a))
    }

    /// True when `a` was sent after `b`, allowing for wraparound.
    @inlinable package static func isNewer(_ a: UInt16, than b: UInt16) -> Bool {
        distance(from: b, to: a) > 0
    }
}

/// Turns 16-bit sequence numbers into monotonic 64-bit ones by counting rollovers.
package struct SequenceUnwrapper: Sendable {
    private var last: Int64?

    /// An unwrapper that takes its first value as is (cycle 0).
    package init() {}

    /// The extended sequence number of `seq`, nearest to the previously unwrapped one.
    package mutating func unwrap(_ seq: UInt16) -> Int64 {
        guard let last else {
            self.last = Int64(seq)
            return Int64(seq)
        }
        let value = last + Int64(SequenceNumber.distance(from: UInt16(truncatingIfNeeded: last), to: seq))
        self.last = value
        return value
    }

    /// The extended value `seq` would unwrap to, without updating state.
    package func peek(_ seq: UInt16) -> Int64 {
        guard let last else { return Int64(seq) }
        return last + Int64(SequenceNumber.distance(from: UInt16(truncatingIfNeeded: last), to: seq))
    }
}

/// Turns 32-bit RTP timestamps into monotonic 64-bit ones by counting rollovers.
package struct RtpTimestampUnwrapper: Sendable {
    private var last: Int64?

    /// An unwrapper that takes its first value as is.
    package init() {}

    /// The extended timestamp of `ts`, nearest to the previously unwrapped one.
    package mutating func unwrap(_ ts: UInt32) -> Int64 {
        let value = peek(ts)
        last = value
        return value
    }

    /// The extended value `ts` would unwrap to, without updating state.
    package func peek(_ ts: UInt32) -> Int64 {
        guard let last else { return Int64(ts) }
        return last + Int64(Int32(bitPattern: ts &- UInt32(truncatingIfNeeded: last)))
    }
}
