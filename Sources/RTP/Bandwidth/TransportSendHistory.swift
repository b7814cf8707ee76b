/// What transport-cc feedback says about one packet we sent.
package struct PacketResult: Sendable, Equatable {
    /// When we sent it (monotonic ns).
    package var sendNs: UInt64
    /// When it arrived, in the receiver's clock (µs, only differences mean anything); nil when lost.
    package var arrivalUs: Int64?
    /// Its size on the wire (protected bytes).
    package var bytes: Int
}

/// Sender side of transport-cc: numbers every outgoing packet of the transport (audio, video and RTX share one
/// counter) and remembers when it left and how big it was, so feedback turns into `PacketResult`s
/// (libwebrtc's TransportFeedbackAdapter). A ring of `capacity` packets: feedback about older ones is ignored.
package struct TransportSendHistory: Sendable {
    /// Packets remembered: ~16 s of a 2 Mbit/s call.
    package static let capacity = 1 << 14

    private struct Entry: Sendable {
        var sequenceNumber: UInt16
        var sendNs: UInt64
        var bytes: Int
        var reported: Bool
    }
    private var ring: [Entry?]
    private var next = UInt16.random(in: 0...UInt16.max)
    /// Feedback entries about packets the history does not hold (too old, never sent, reported twice).
    package private(set) var unknownResults = 0

    package init() { ring = Array(repeating: nil, count: Self.capacity) }

    /// The number for the next packet; call `onSent` with it once the packet is out.
    package mutating func nextSequenceNumber() -> UInt16 {
        defer { next &+= 1 }
        return next
    }

    package mutating func onSent(sequenceNumber: UInt16, bytes: Int, nowNs: UInt64) {
        ring[Int(sequenceNumber) & (Self.capacity - 1)] = Entry(sequenceNumber: sequenceNumber, sendNs: nowNs,
                                                                 bytes: bytes, reported: false)
    }

    /// The packets one feedback describes, in sequence order; each packet is reported once.
    package mutating func results(for feedback: TransportFeedback) -> [PacketResult] {
        var out: [PacketResult] = []
        out.reserveCapacity(feedback.deltas.count)
        var arrivalUs = Int64(feedback.referenceTime) * TransportFeedback.referenceTimeUnitUs
        for (i, delta) in feedback.deltas.enumerated() {
            if let delta { arrivalUs += Int64(delta) * TransportFeedback.deltaUnitUs }
            let seq = feedback.baseSequenceNumber &+ UInt16(truncatingIfNeeded: i)
            let slot = Int(seq) & (Self.capacity - 1)
            guard var entry = ring[slot], entry.sequenceNumber == seq, !entry.reported else {
                if delta != nil { unknownResults += 1 }
                continue
            }
            // A lost packet may still be reported as received by a later feedback.
            if delta != nil { entry.reported = true; ring[slot] = entry }
            out.append(PacketResult(sendNs: entry.sendNs, arrivalUs: delta.map { _ in arrivalUs }, bytes: entry.bytes))
        }
        return out
    }
}
