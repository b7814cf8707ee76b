/// RTCP source description (RFC 3550 §6.5, PT 202): per-SSRC items such as the CNAME.
package struct SourceDescription: Sendable, Equatable {
    /// Item type of the canonical name, the only item WebRTC sends.
    package static let cnameType: UInt8 = 1

    /// Items describing one source.
    package struct Chunk: Sendable, Equatable {
        /// The source described.
        package var ssrc: UInt32
        /// Its items, CNAME first by convention.
        package var items: [Item]
        package init(ssrc: UInt32, items: [Item]) { self.ssrc = ssrc; self.items = items }

        /// A chunk carrying only a CNAME.
        package init(ssrc: UInt32, cname: String) {
            self.init(ssrc: ssrc, items: [Item(type: SourceDescription.cnameType, value: Array(cname.utf8.prefix(255)))])
        }

        /// The CNAME item as text, if present and UTF-8.
        package var cname: String? {
            items.first { $0.type == SourceDescription.cnameType }.flatMap { String(validating: $0.value, as: UTF8.self) }
        }
    }

    /// One SDES item: type and up to 255 bytes.
    package struct Item: Sendable, Equatable {
        /// Item type (1 = CNAME).
        package var type: UInt8
        /// Item text bytes.
        package var value: [UInt8]
        package init(type: UInt8, value: [UInt8]) { self.type = type; self.value = value }
    }

    /// One chunk per source.
    package var chunks: [Chunk]

    package init(chunks: [Chunk]) { self.chunks = chunks }

    init(count: UInt8, body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        chunks = []
        for _ in 0..<count {
            var chunk = Chunk(ssrc: try r.u32("SDES chunk SSRC"), items: [])
            while true {
                let type = try r.u8("SDES item")
                if type == 0 {
                    // The null item ends the chunk; zero bytes fill up to the next 32-bit boundary.
                    try r.skip((4 - r.offset % 4) % 4, "SDES chunk padding")
                    break
                }
                let len = Int(try r.u8("SDES item length"))
                chunk.items.append(Item(type: type, value: try r.take(len, "SDES item text")))
            }
            chunks.append(chunk)
        }
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        for c in chunks.prefix(31) {
            w.u32(c.ssrc)
            for item in c.items where item.type != 0 {
                let value = item.value.prefix(255)
                w.u8(item.type); w.u8(UInt8(value.count)); w.append(value)
            }
            w.u8(0)
            w.padTo32()
        }
        return w.bytes
    }
}
