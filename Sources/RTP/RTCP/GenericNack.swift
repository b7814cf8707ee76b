/// Generic NACK (RFC 4585 §6.2.1, PT 205 FMT 1): sequence numbers the receiver is missing, packed as
/// a packet id (PID) plus a bitmask of the 16 following ones (BLP).
package struct GenericNack: Sendable, Equatable {
    static let fmt: UInt8 = 1

    /// One FCI entry.
    package struct Item: Sendable, Equatable {
        /// First lost sequence number.
        package var packetId: UInt16
        /// Bit i set means packetId + i + 1 is lost too.
        package var bitmask: UInt16
        package init(packetId: UInt16, bitmask: UInt16) { self.packetId = packetId; self.bitmask = bitmask }

        /// Every sequence number this entry names.
        package var sequenceNumbers: [UInt16] {
            [packetId] + (0..<16).compactMap { bitmask & (1 << $0) != 0 ? packetId &+ UInt16($0 + 1) : nil }
        }
    }

    /// SSRC of the receiver sending the NACK.
    package var senderSsrc: UInt32
    /// The media stream whose packets are missing.
    package var mediaSsrc: UInt32
    /// FCI entries as on the wire.
    package var items: [Item]

    package init(senderSsrc: UInt32, mediaSsrc: UInt32, items: [Item]) {
        self.senderSsrc = senderSsrc; self.mediaSsrc = mediaSsrc; self.items = items
    }

    /// A NACK for `sequenceNumbers` (give them oldest first; wraparound is fine).
    package init(senderSsrc: UInt32, mediaSsrc: UInt32, sequenceNumbers: [UInt16]) {
        var items: [Item] = []
        for seq in sequenceNumbers {
            if var last = items.last {
                let d = SequenceNumber.distance(from: last.packetId, to: seq)
                if d == 0 { continue }
                if (1...16).contains(d) {
                    last.bitmask |= 1 << (d - 1)
                    items[items.count - 1] = last
                    continue
                }
            }
            items.append(Item(packetId: seq, bitmask: 0))
        }
        self.init(senderSsrc: senderSsrc, mediaSsrc: mediaSsrc, items: items)
    }

    /// All sequence numbers named, in item order.
    package var sequenceNumbers: [UInt16] { items.flatMap(\.sequenceNumbers) }

    init(body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        senderSsrc = try r.u32("NACK sender SSRC")
        mediaSsrc = try r.u32("NACK media SSRC")
        items = []
        while r.remaining > 0 {
            items.append(Item(packetId: try r.u16("NACK item"), bitmask: try r.u16("NACK item")))
        }
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        w.u32(senderSsrc); w.u32(mediaSsrc)
        for i in items { w.u16(i.packetId); w.u16(i.bitmask) }
        return w.bytes
    }
}
