/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1,
/// PT 205 FMT 15, "transport-cc"): which transport-wide sequence numbers arrived, and when, relative to a
/// reference time. The media sender's delay-based estimator (GCC) runs on it.
package struct TransportFeedback: Sendable, Equatable {
    static let fmt: UInt8 = 15
    /// Units of the 24-bit reference time: 64 ms.
    package static let referenceTimeUnitUs: Int64 = 64_000
    /// Units of a receive delta: 250 µs.
    package static let deltaUnitUs: Int64 = 250

    /// SSRC of the receiver sending the feedback.
    package var senderSsrc: UInt32
    /// A media SSRC of the sender (the feedback covers all of its streams).
    package var mediaSsrc: UInt32
    /// Transport-wide sequence number of the first packet described.
    package var baseSequenceNumber: UInt16
    /// 24-bit signed reference time in 64 ms units (the first delta is relative to it).
    package var referenceTime: Int32
    /// Feedback packet count (mod 256), so the sender sees lost feedback.
    package var feedbackCount: UInt8
    /// One entry per packet from the base: nil when not received, else its receive delta in 250 µs units
    /// from the previous received packet (the first from the reference time).
    package var deltas: [Int16?]

    package init(senderSsrc: UInt32, mediaSsrc: UInt32, baseSequenceNumber: UInt16, referenceTime: Int32,
                 feedbackCount: UInt8, deltas: [Int16?]) {
        self.senderSsrc = senderSsrc; self.mediaSsrc = mediaSsrc; self.baseSequenceNumber = baseSequenceNumber
        self.referenceTime = referenceTime; self.feedbackCount = feedbackCount; self.deltas = deltas
    }

    /// Status symbols: 0 not received, 1 received with a small (1-byte, 0…63.75 ms) delta, 2 received with a
    /// large or negative (2-byte signed) delta.
    private static func symbol(_ delta: Int16?) -> UInt8 {
        guard let delta else { return 0 }
        return (0...255).contains(delta) ? 1 : 2
    }

    init(body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        senderSsrc = try r.u32("transport-cc sender SSRC")
        mediaSsrc = try r.u32("transport-cc media SSRC")
        baseSequenceNumber = try r.u16("transport-cc base sequence number")
        let count = Int(try r.u16("transport-cc packet status count"))
        let reference = try r.u24("transport-cc reference time")
        referenceTime = Int32(bitPattern: reference << 8) >> 8  // sign-extend 24 bits
        feedbackCount = try r.u8("transport-cc feedback count")
        var symbols: [UInt8] = []
        symbols.reserveCapacity(count)
        while symbols.count < count {
            let chunk = try r.u16("transport-cc packet chunk")
            if chunk & 0x8000 == 0 {
                let symbol = UInt8((chunk >> 13) & 0x3), run = Int(chunk & 0x1FFF)
                guard symbol != 3 else { throw RtpParseError.malformed("transport-cc run of the reserved status 3") }
                symbols += repeatElement(symbol, count: min(run, count - symbols.count))
            } else if chunk & 0x4000 == 0 {
                for i in (0..<14).reversed() where symbols.count < count { symbols.append(UInt8((chunk >> i) & 1)) }
            } else {
                for i in (0..<7).reversed() where symbols.count < count {
                    let s = UInt8((chunk >> (2 * i)) & 0x3)
                    guard s != 3 else { throw RtpParseError.malformed("transport-cc status vector with the reserved status 3") }
                    symbols.append(s)
                }
            }
        }
        var deltas: [Int16?] = []
        deltas.reserveCapacity(count)
        for s in symbols {
            switch s {
            case 1: deltas.append(Int16(try r.u8("transport-cc receive delta")))
            case 2: deltas.append(Int16(bitPattern: try r.u16("transport-cc receive delta")))
            default: deltas.append(nil)
            }
        }
        self.deltas = deltas
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        w.u32(senderSsrc); w.u32(mediaSsrc)
        w.u16(baseSequenceNumber); w.u16(UInt16(clamping: deltas.count))
        w.u24(UInt32(bitPattern: referenceTime) & 0xFF_FFFF)
        w.u8(feedbackCount)
        let symbols = deltas.map(Self.symbol)
        var i = 0
        while i < symbols.count {
            var run = 1
            while i + run < symbols.count, symbols[i + run] == symbols[i], run < 0x1FFF { run += 1 }
            let next14 = symbols[i..<min(i + 14, symbols.count)]
            if run >= 14 || i + run == symbols.count && run > 7 {
                w.u16(UInt16(symbols[i]) << 13 | UInt16(run))  // run-length chunk
                i += run
            } else if !next14.contains(2) {
                var chunk: UInt16 = 0x8000  // one-bit status vector: T=1, S=0
                for (k, s) in next14.enumerated() { chunk |= UInt16(s) << (13 - k) }
                w.u16(chunk)
                i += next14.count
            } else {
                var chunk: UInt16 = 0xC000  // two-bit status vector: T=1, S=1
                for (k, s) in symbols[i..<min(i + 7, symbols.count)].enumerated() { chunk |= UInt16(s) << (12 - 2 * k) }
                w.u16(chunk)
                i += min(7, symbols.count - i)
            }
        }
        for d in deltas.compactMap({ $0 }) {
            if (0...255).contains(d) { w.u8(UInt8(d)) } else { w.u16(UInt16(bitPattern: d)) }
        }
        w.padTo32()
        return w.bytes
    }
}
