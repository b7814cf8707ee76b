/// Big-endian cursor over a byte array; every read is bounds-checked and throws when short.
struct RtpByteReader {
    let bytes: [UInt8]
    private(set) var offset: Int
    let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { max(0, end - offset) }

    mutating func u8(_ what: String) throws(RtpParseError) -> UInt8 {
        guard remaining >= 1 else { throw .truncated(what: what, need: 1, have: remaining) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16(_ what: String) throws(RtpParseError) -> UInt16 {
        guard remaining >= 2 else { throw .truncated(what: what, need: 2, have: remaining) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u24(_ what: String) throws(RtpParseError) -> UInt32 {
        guard remaining >= 3 else { throw .truncated(what: what, need: 3, have: remaining) }
        defer { offset += 3 }
        return UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
    }

    mutating func u32(_ what: String) throws(RtpParseError) -> UInt32 {
        guard remaining >= 4 else { throw .truncated(what: what, need: 4, have: remaining) }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    mutating func take(_ n: Int, _ what: String) throws(RtpParseError) -> [UInt8] {
        guard n >= 0, remaining >= n else { throw .truncated(what: what, need: n, have: remaining) }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    mutating func skip(_ n: Int, _ what: String) throws(RtpParseError) {
        guard n >= 0, remaining >= n else { throw .truncated(what: what, need: n, have: remaining) }
        offset += n
    }
}

/// Big-endian appender used by every serializer.
struct RtpByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { bytes.append(UInt8(v >> 8)); bytes.append(UInt8(v & 0xFF)) }
    mutating func u24(_ v: UInt32) {
        bytes.append(UInt8((v >> 16) & 0xFF)); bytes.append(UInt8((v >> 8) & 0xFF)); bytes.append(UInt8(v & 0xFF))
    }
    mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(v & 0xFFFF)) }
    mutating func append<S: Sequence>(_ s: S) where S.Element == UInt8 { bytes.append(contentsOf: s) }
    /// Pads with zero bytes up to a multiple of 4.
    mutating func padTo32() { while bytes.count % 4 != 0 { bytes.append(0) } }
}
