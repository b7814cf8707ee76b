/// Reorders received packets by extended sequence number: bounded, drops duplicates and packets older than
/// what the consumer already took. Knows nothing about frames (that is `FrameAssembler`'s job).
package struct PacketBuffer<Packet: Sendable>: Sendable {
    /// Span of sequence numbers held by default: several seconds of video at 2 Mbit/s.
    package static var defaultCapacity: Int { 2048 }

    /// What happened to an inserted packet.
    package enum InsertResult: Sendable, Equatable {
        /// Stored under this extended sequence number.
        case inserted(Int64)
        /// Already held.
        case duplicate
        /// Older than everything the consumer has taken or dropped.
        case tooOld
    }

    /// Largest span (highest − lowest + 1) of sequence numbers held; older packets are evicted beyond it.
    package let capacity: Int
    /// Every sequence number below this is gone (consumed, dropped or evicted).
    package private(set) var floor: Int64?
    /// Packets dropped as already held.
    package private(set) var duplicates = 0
    /// Packets dropped as older than the floor.
    package private(set) var tooOld = 0
    /// Packets evicted because newer ones exceeded `capacity`.
    package private(set) var evicted = 0

    private var unwrapper = SequenceUnwrapper()
    private var slots: [Int64: Packet] = [:]
    /// Lowest extended sequence number held.
    package private(set) var lowest: Int64?
    /// Highest extended sequence number held.
    package private(set) var highest: Int64?

    package init(capacity: Int = defaultCapacity) { self.capacity = max(1, capacity) }

    /// Packets held.
    package var count: Int { slots.count }
    /// True when nothing is held.
    package var isEmpty: Bool { slots.isEmpty }

    /// Stores `packet` under its sequence number (unwrapped relative to those seen before).
    package mutating func insert(_ packet: Packet, sequenceNumber: UInt16) -> InsertResult {
        let seq = unwrapper.unwrap(sequenceNumber)
        if let floor, seq < floor { tooOld += 1; return .tooOld }
        if slots[seq] != nil { duplicates += 1; return .duplicate }
        if let lowest, seq - lowest >= Int64(capacity) {
            evicted += removeAll(before: seq - Int64(capacity) + 1)
        }
        slots[seq] = packet
        lowest = min(lowest ?? seq, seq)
        highest = max(highest ?? seq, seq)
        return .inserted(seq)
    }

    /// The packet stored under extended sequence number `seq`.
    package func packet(at seq: Int64) -> Packet? { slots[seq] }

    /// Stored packets from `start` upward, in sequence order.
    package func packets(from start: Int64) -> [(seq: Int64, packet: Packet)] {
        guard let highest, let lowest else { return [] }
        return (max(start, lowest)...max(highest, max(start, lowest))).compactMap { s in slots[s].map { (s, $0) } }
    }

    /// Drops everything below `seq` and raises the floor there; returns how many packets were dropped.
    @discardableResult
    package mutating func removeAll(before seq: Int64) -> Int {
        floor = max(floor ?? seq, seq)
        guard let lo = lowest, let hi = highest, lo < seq else { return 0 }
        var removed = 0
        if seq > hi {
            removed = slots.count
            slots.removeAll(keepingCapacity: true)
            lowest = nil; highest = nil
            return removed
        }
        for s in lo..<seq where slots.removeValue(forKey: s) != nil { removed += 1 }
        lowest = (seq...hi).first { slots[$0] != nil }
        if lowest == nil { highest = nil }
        return removed
    }
}
