@testable import RTP
import Testing

@Suite struct RtcpPacketTests {
    static let sr = rtpHex("""
        80 C8 00 06  5D 93 1A 7C  EA 5E 3B 1C  8F 5C 28 F5
        00 1B 77 40  00 00 01 2C  00 01 86 A0
        """)
    static let sdes = rtpHex("""
        81 CA 00 06  5D 93 1A 7C  01 10 72 34  5A 71 38 62
        58 32 6E 54  36 79 57 70  30 4C 00 00
        """)
    static let rr = rtpHex("""
        81 C9 00 07  00 00 00 01  5D 93 1A 7C  0A 00 00 05
        00 01 23 45  00 00 00 2A  3B 1C 8F 5C  00 01 80 00
        """)
    static let remb = rtpHex("""
        8F CE 00 05  00 00 00 01  00 00 00 00  52 45 4D 42
        01 0E 5A D0  5D 93 1A 7C
        """)

    @Test func chromiumSenderReportWithSdes() throws {
        let packets = try RtcpPacket.parseCompound(Self.sr + Self.sdes)
        #expect(packets.count == 2)
        guard case .senderReport(let sr) = packets[0], case .sourceDescription(let sdes) = packets[1] else {
            Issue.record("got \(packets)"); return
        }
        #expect(sr.ssrc == 0x5D93_1A7C && sr.ntpTime == NtpTimestamp(seconds: 0xEA5E_3B1C, fraction: 0x8F5C_28F5))
        #expect(sr.rtpTimestamp == 1_800_000 && sr.packetCount == 300 && sr.octetCount == 100_000 && sr.reports.isEmpty)
        #expect(sdes.chunks == [SourceDescription.Chunk(ssrc: 0x5D93_1A7C, cname: "r4Zq8bX2nT6yWp0L")])
        #expect(sdes.chunks[0].cname == "r4Zq8bX2nT6yWp0L")
        #expect(RtcpPacket.serializeCompound(packets) == Self.sr + Self.sdes)
    }

    @Test func chromiumReceiverReportWithRemb() throws {
        let packets = try RtcpPacket.parseCompound(Self.rr + Self.remb)
        guard packets.count == 2, case .receiverReport(let rr) = packets[0], case .remb(let remb) = packets[1] else {
            Issue.record("got \(packets)"); return
        }
        #expect(rr.ssrc == 1)
        #expect(rr.reports == [ReportBlock(ssrc: 0x5D93_1A7C, fractionLost: 10, cumulativeLost: 5,
                                           extendedHighestSequenceNumber: 0x12345, jitter: 42,
                                           lastSenderReport: 0x3B1C_8F5C, delaySinceLastSenderReport: 0x18000)])
        #expect(remb == Remb(senderSsrc: 1, bitrate: 1_234_560, ssrcs: [0x5D93_1A7C]))
        #expect(RtcpPacket.serializeCompound(packets) == Self.rr + Self.remb)
        // 1 234 567 bit/s does not fit 18 bits: it is sent as 154320 × 2^3, rounded down.
        #expect(RtcpPacket.remb(Remb(senderSsrc: 1, bitrate: 1_234_567, ssrcs: [0x5D93_1A7C])).serialized() == Self.remb)
        // The 18-bit mantissa boundary: 2^18 − 1 fits as is, 2^18 needs exponent 1.
        #expect(Array(RtcpPacket.remb(Remb(senderSsrc: 1, bitrate: 262_143, ssrcs: [])).serialized()[17...19]) == [0x03, 0xFF, 0xFF])
        #expect(Array(RtcpPacket.remb(Remb(senderSsrc: 1, bitrate: 262_144, ssrcs: [])).serialized()[17...19]) == [0x06, 0x00, 0x00])
    }

    @Test func reducedSizeFeedbackAlone() throws {
        let pli = rtpHex("81 CE 00 02 00 00 00 01 5D 93 1A 7C")
        #expect(try RtcpPacket.parseCompound(pli) == [.pli(PictureLossIndication(senderSsrc: 1, mediaSsrc: 0x5D93_1A7C))])
        #expect(RtcpPacket.pli(PictureLossIndication(senderSsrc: 1, mediaSsrc: 0x5D93_1A7C)).serialized() == pli)

        let nack = rtpHex("81 CD 00 03 00 00 00 01 5D 93 1A 7C 00 64 00 05")
        let parsed = try RtcpPacket.parseCompound(nack)
        guard case .nack(let n) = parsed.first else { Issue.record("got \(parsed)"); return }
        #expect(n.sequenceNumbers == [100, 101, 103])
        #expect(RtcpPacket.nack(GenericNack(senderSsrc: 1, mediaSsrc: 0x5D93_1A7C, sequenceNumbers: [100, 101, 103]))
            .serialized() == nack)

        let fir = rtpHex("84 CE 00 04 00 00 00 01 00 00 00 00 5D 93 1A 7C 07 00 00 00")
        let firPacket = RtcpPacket.fir(FullIntraRequest(senderSsrc: 1, entries: [.init(ssrc: 0x5D93_1A7C, sequenceNumber: 7)]))
        #expect(try RtcpPacket.parseCompound(fir) == [firPacket])
        #expect(firPacket.serialized() == fir)
    }

    @Test func nackPacksRunsAndWrapsAround() {
        let seqs: [UInt16] = [65534, 65535, 0, 5, 17, 18, 40]
        let n = GenericNack(senderSsrc: 1, mediaSsrc: 2, sequenceNumbers: seqs)
        // 65534 covers 65535, 0 and 5 (up to 14, wrapped); 17 starts a new item covering 18; 40 its own.
        #expect(n.items == [GenericNack.Item(packetId: 65534, bitmask: 0b0100_0011),
                            GenericNack.Item(packetId: 17, bitmask: 1),
                            GenericNack.Item(packetId: 40, bitmask: 0)])
        #expect(n.sequenceNumbers == seqs)
    }

    @Test func goodbyeWithReasonAndSenderReportWithBlocksAndPadding() throws {
        let bye = rtpHex("81 CB 00 03 5D 93 1A 7C 04 64 6F 6E 65 00 00 00")
        let parsed = try RtcpPacket.parseCompound(bye)
        #expect(parsed == [.goodbye(Goodbye(ssrcs: [0x5D93_1A7C], reason: "done"))])
        #expect(parsed[0].serialized() == bye)

        // SR with one report block, P bit set and 4 padding bytes at the end of the compound.
        let block = Array(Self.rr[8..<32])
        let padded = rtpHex("A1 C8 00 0D") + Array(Self.sr[4...]) + block + rtpHex("00 00 00 04")
        let sr = try RtcpPacket.parseCompound(padded)
        guard case .senderReport(let report) = sr.first else { Issue.record("got \(sr)"); return }
        #expect(report.reports.count == 1 && report.reports[0].fractionLost == 10)
        #expect(sr[0].serialized() == rtpHex("81 C8 00 0C") + Array(Self.sr[4...]) + block)
    }

    @Test func unknownTypesArePreserved() throws {
        // TMMBR (205/3) and an XR (207) ride along untouched.
        let twcc = rtpHex("83 CD 00 03 00 00 00 01 5D 93 1A 7C 00 01 00 02")
        let xr = rtpHex("80 CF 00 01 00 00 00 01")
        let packets = try RtcpPacket.parseCompound(Self.rr + twcc + xr)
        #expect(packets.count == 3)
        #expect(packets[1] == .unknown(RtcpUnknownPacket(packetType: 205, count: 3, body: Array(twcc[4...]))))
        #expect(RtcpPacket.serializeCompound(packets) == Self.rr + twcc + xr)
    }

    @Test func negativeCumulativeLostAndHugeRembExponent() throws {
        var rr = Self.rr
        rr[13...15] = [0xFF, 0xFF, 0xFE]
        guard case .receiverReport(let r) = try RtcpPacket.parseCompound(rr)[0] else { Issue.record("no RR"); return }
        #expect(r.reports[0].cumulativeLost == -2)
        #expect(RtcpPacket.receiverReport(r).serialized() == rr)
        var remb = Self.remb
        remb[17] = 0xFF  // exponent 63
        guard case .remb(let big) = try RtcpPacket.parseCompound(remb)[0] else { Issue.record("no REMB"); return }
        #expect(big.bitrate == .max)
    }

    @Test func rejectsBrokenCompounds() {
        #expect(throws: RtpParseError.self) { try RtcpPacket.parseCompound([]) }
        #expect(throws: RtpParseError.badVersion(0)) { try RtcpPacket.parseCompound([0x00, 0xC8, 0, 0]) }
        // Length field runs past the end.
        #expect(throws: RtpParseError.self) { try RtcpPacket.parseCompound(Array(Self.sr.dropLast(4))) }
        // Report count 2 with room for none.
        var sr = Self.sr; sr[0] = 0x82
        #expect(throws: RtpParseError.self) { try RtcpPacket.parseCompound(sr) }
        // Padding count bigger than the packet.
        var pad = rtpHex("A1 CE 00 02 00 00 00 01 5D 93 1A 7C"); pad[11] = 0x40
        #expect(throws: RtpParseError.self) { try RtcpPacket.parseCompound(pad) }
        // Trailing garbage after a good packet.
        #expect(throws: RtpParseError.self) { try RtcpPacket.parseCompound(Self.rr + [0x80]) }
        // SDES item longer than its chunk.
        var sdes = Self.sdes; sdes[9] = 0x40
        #expect(throws: RtpParseError.self) { try RtcpPacket.parseCompound(sdes) }
    }
}
