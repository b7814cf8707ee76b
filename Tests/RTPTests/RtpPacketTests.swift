@testable import RTP
import Testing

@Suite struct RtpPacketTests {
    /// V=2, X=1, M=1, PT 96, one-byte extensions mid "0" (id 4) and abs-send-time (id 3), 4 payload bytes.
    static let withExtensions = rtpHex("""
        90 E0 12 34  00 00 00 64  11 22 33 44
        BE DE 00 02  40 30 32 AA  BB CC 00 00
        DE AD BE EF
        """)

    @Test func parsesAndReserializesOneByteExtensions() throws {
        let p = try RtpPacket(parsing: Self.withExtensions)
        #expect(p.marker && p.payloadType == 96 && p.sequenceNumber == 0x1234 && p.timestamp == 100)
        #expect(p.ssrc == 0x1122_3344 && p.csrcs.isEmpty && p.paddingSize == 0)
        #expect(p.extensions == [RtpHeaderExtension(id: 4, data: [0x30]), RtpHeaderExtension(id: 3, data: [0xAA, 0xBB, 0xCC])])
        #expect(p.payload == [0xDE, 0xAD, 0xBE, 0xEF])
        #expect(HeaderExtensions.decodeMid(p.extensionData(id: 4)!) == "0")
        #expect(HeaderExtensions.decodeAbsSendTime(p.extensionData(id: 3)!) == 0xAABBCC)
        #expect(p.serialized() == Self.withExtensions)
        #expect(p.headerSize == 24)
    }

    @Test func buildsTheSameBytesFromFields() {
        var p = RtpPacket(payloadType: 96, sequenceNumber: 0x1234, timestamp: 100, ssrc: 0x1122_3344, marker: true,
                          payload: [0xDE, 0xAD, 0xBE, 0xEF])
        p.setExtension(id: 4, data: HeaderExtensions.encodeMid("0"))
        p.setExtension(id: 3, data: [0xAA, 0xBB, 0xCC])
        #expect(p.serialized() == Self.withExtensions)
    }

    @Test func twoByteExtensionsCsrcsAndPadding() throws {
        // P=1, X=1, CC=2; two-byte profile 0x1000 with id 20 (2 bytes) and a zero-length id 5; 3 padding bytes.
        let bytes = rtpHex("""
            B2 6F 00 01  00 00 03 E8  CA FE BA BE
            00 00 00 0A  00 00 00 0B
            10 00 00 02  14 02 01 02  05 00 00 00
            01 02 03  00 00 03
            """)
        let p = try RtpPacket(parsing: bytes)
        #expect(!p.marker && p.payloadType == 111 && p.sequenceNumber == 1 && p.timestamp == 1000)
        #expect(p.csrcs == [10, 11])
        #expect(p.extensions == [RtpHeaderExtension(id: 20, data: [1, 2]), RtpHeaderExtension(id: 5, data: [])])
        #expect(p.payload == [1, 2, 3] && p.paddingSize == 3)
        #expect(p.serialized() == bytes)
    }

    @Test func keepsForeignExtensionProfilesVerbatim() throws {
        let bytes = rtpHex("90 60 00 07 00 00 00 00 00 00 00 01  AB CD 00 01  01 02 03 04  FF")
        let p = try RtpPacket(parsing: bytes)
        #expect(p.extensions.isEmpty)
        #expect(p.otherExtension == RtpRawHeaderExtension(profile: 0xABCD, data: [1, 2, 3, 4]))
        #expect(p.serialized() == bytes)
    }

    @Test func rejectsBrokenPacketsWithErrors() {
        let good = Self.withExtensions
        #expect(throws: RtpParseError.badVersion(1)) { try RtpPacket(parsing: [0x50] + good.dropFirst()) }
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: Array(good.prefix(11))) }
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: []) }
        // Extension length says 3 words but only 2 (+payload 1) follow.
        var longExt = Array(good.prefix(24)); longExt[15] = 5
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: longExt) }
        // Padding count larger than the packet body, and a zero padding count.
        var pad = good; pad[0] |= 0x20; pad[pad.count - 1] = 200
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: pad) }
        pad[pad.count - 1] = 0
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: pad) }
        // 15 CSRCs announced, none present.
        var csrc = Array(good.prefix(12)); csrc[0] = 0x8F
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: csrc) }
        // One-byte element claiming 16 bytes inside an 8-byte block.
        var elem = good; elem[16] = 0x4F
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: elem) }
        // Id 0 is reserved for padding bytes; with a length it is not an element.
        elem = good; elem[16] = 0x03
        #expect(throws: RtpParseError.self) { try RtpPacket(parsing: elem) }
    }

    @Test func demultiplexesRtcpFromRtp() {
        #expect(RtpPacket.isRtcp(rtpHex("80 C8 00 06")))
        #expect(RtpPacket.isRtcp(rtpHex("81 CD 00 03")))
        #expect(!RtpPacket.isRtcp(Self.withExtensions))
        #expect(!RtpPacket.isRtcp(rtpHex("80 6F")))  // Opus PT 111 without marker
        #expect(!RtpPacket.isRtcp([0x80]))
    }

    @Test func absSendTimeIs6Point18FixedAndWraps() {
        #expect(HeaderExtensions.absSendTime(ns: 1_000_000_000) == 1 << 18)
        #expect(HeaderExtensions.absSendTime(ns: 500_000_000) == 1 << 17)
        #expect(HeaderExtensions.absSendTime(ns: 64_000_000_000) == 0)
        #expect(HeaderExtensions.encodeAbsSendTime(ns: 1_500_000_000) == [0x06, 0x00, 0x00])
        let a = HeaderExtensions.absSendTime(ns: 63_990_000_000), b = HeaderExtensions.absSendTime(ns: 64_010_000_000)
        let d = HeaderExtensions.absSendTimeDeltaNs(from: a, to: b)
        #expect(abs(d - 20_000_000) < 10_000, "delta across the wrap was \(d) ns")
        #expect(HeaderExtensions.absSendTimeDeltaNs(from: b, to: a) < 0)
        #expect(HeaderExtensions.decodeAbsSendTime([1, 2]) == nil)
        #expect(HeaderExtensions.decodeMid([0x31, 0x00]) == "1" && HeaderExtensions.decodeMid([]) == nil)
    }

    @Test func sequenceNumberArithmeticWraps() {
        #expect(SequenceNumber.isNewer(1, than: 65535))
        #expect(!SequenceNumber.isNewer(65535, than: 1))
        #expect(SequenceNumber.distance(from: 65530, to: 4) == 10)
        #expect(SequenceNumber.distance(from: 4, to: 65530) == -10)
        #expect(!SequenceNumber.isNewer(7, than: 7))
    }

    @Test func unwrapperCountsRolloversAndHandlesReordering() {
        var u = SequenceUnwrapper()
        #expect(u.unwrap(65534) == 65534)
        #expect(u.unwrap(65535) == 65535)
        #expect(u.unwrap(1) == 65537)
        #expect(u.unwrap(0) == 65536)       // reordered across the wrap
        #expect(u.unwrap(65533) == 65533)   // older still
        #expect(u.unwrap(2) == 65538)
        var long = SequenceUnwrapper()
        var last: Int64 = 0
        for i in 0..<200_000 { last = long.unwrap(UInt16(truncatingIfNeeded: 1000 + i)) }
        #expect(last == 1000 + 199_999)
        var ts = RtpTimestampUnwrapper()
        #expect(ts.unwrap(0xFFFF_FF00) == 0xFFFF_FF00)
        #expect(ts.unwrap(0x0000_0100) == 0x1_0000_0100)
    }

    @Test func ntpConversions() {
        let t = NtpTimestamp(unixNs: 1_700_000_000_500_000_000)
        #expect(t.seconds == UInt32(1_700_000_000 + 2_208_988_800))
        #expect(t.fraction == 0x8000_0000)
        #expect(t.middle32 == (t.seconds << 16 | 0x8000))
        #expect(NtpTimestamp.nanoseconds(fromCompact: 0x0001_8000) == 1_500_000_000)
        #expect(NtpTimestamp.compact(fromNanoseconds: 1_500_000_000) == 0x0001_8000)
        #expect(NtpTimestamp.compact(fromNanoseconds: .max) == .max)
    }

    @Test func opusTimestampsAndDurations() {
        #expect(OpusPayload.timestampIncrement() == 960)
        #expect(OpusPayload.timestampIncrement(frameMs: 10) == 480)
        // TOC config 15 (hybrid FB 20 ms), code 0: one 20 ms frame.
        #expect(OpusPayload.samples(in: [15 << 3 | 0, 1, 2]) == 960)
        // CELT 20 ms (config 31), code 1: two frames.
        #expect(OpusPayload.samples(in: [31 << 3 | 1, 0]) == 1920)
        // Code 3 with 6 frames of 20 ms = 120 ms, the maximum; 7 would exceed it.
        #expect(OpusPayload.samples(in: [31 << 3 | 3, 6]) == 5760)
        #expect(OpusPayload.samples(in: [31 << 3 | 3, 7]) == nil)
        #expect(OpusPayload.samples(in: []) == nil)
    }
}
