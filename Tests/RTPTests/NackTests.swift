@testable import RTP
import Testing

@Suite struct NackTests {
    @Test func firstNackAfterReorderDelayThenEveryRttAndAQuarterThenGiveUp() {
        var gen = NackGenerator()   // 15 ms, RTT 100 ms (re-NACK after 125 ms), 10 tries
        gen.onPacket(sequenceNumber: 65534, nowNs: 0)
        gen.onPacket(sequenceNumber: 1, nowNs: 0)     // 65535 and 0 missing (across the wrap)
        #expect(gen.missingSequenceNumbers == [65535, 0])
        #expect(gen.poll(nowNs: 14 * rtpMs).isEmpty)
        #expect(gen.poll(nowNs: 15 * rtpMs) == [65535, 0])
        #expect(gen.poll(nowNs: 16 * rtpMs).isEmpty)
        gen.onPacket(sequenceNumber: 0, nowNs: 60 * rtpMs)    // recovered by the first NACK
        #expect(gen.recovered == 1 && gen.nextPollNs == 140 * rtpMs)
        #expect(gen.poll(nowNs: 139 * rtpMs).isEmpty)
        #expect(gen.poll(nowNs: 140 * rtpMs) == [65535])
        var sends = 2
        var t: UInt64 = 140
        while t < 3000 {
            t += 125
            sends += gen.poll(nowNs: t * rtpMs).count
        }
        #expect(sends == 10 && gen.abandoned == 1 && gen.missingSequenceNumbers.isEmpty)
    }

    @Test func reorderedPacketIsNeverNacked() {
        var gen = NackGenerator()
        gen.onPacket(sequenceNumber: 10, nowNs: 0)
        gen.onPacket(sequenceNumber: 12, nowNs: 1 * rtpMs)
        gen.onPacket(sequenceNumber: 11, nowNs: 5 * rtpMs)
        #expect(gen.poll(nowNs: 100 * rtpMs).isEmpty && gen.nextPollNs == nil)
    }

    @Test func rttChangesTheRetryInterval() {
        var gen = NackGenerator()
        gen.rttNs = 40 * rtpMs
        gen.onPacket(sequenceNumber: 1, nowNs: 0)
        gen.onPacket(sequenceNumber: 3, nowNs: 0)
        #expect(gen.pollNack(senderSsrc: 1, mediaSsrc: 2, nowNs: 20 * rtpMs)?.sequenceNumbers == [2])
        #expect(gen.pollNack(senderSsrc: 1, mediaSsrc: 2, nowNs: 69 * rtpMs) == nil)
        #expect(gen.pollNack(senderSsrc: 1, mediaSsrc: 2, nowNs: 70 * rtpMs)?.sequenceNumbers == [2])
    }

    @Test func hugeGapClearsListAndAsksForKeyframe() {
        var gen = NackGenerator()
        gen.onPacket(sequenceNumber: 0, nowNs: 0)
        gen.onPacket(sequenceNumber: 900, nowNs: 0)
        #expect(gen.missingSequenceNumbers.count == 899 && !gen.takeKeyframeRequest())
        gen.onPacket(sequenceNumber: 1000, nowNs: 0)   // 899 + 99 missing, still within 1000
        gen.onPacket(sequenceNumber: 1200, nowNs: 0)   // would exceed 1000
        #expect(gen.missingSequenceNumbers.isEmpty)
        #expect(gen.takeKeyframeRequest() && !gen.takeKeyframeRequest())
        gen.onPacket(sequenceNumber: 1202, nowNs: 0)
        #expect(gen.missingSequenceNumbers == [1201])
        gen.forget(before: 1202)
        #expect(gen.missingSequenceNumbers.isEmpty)
    }

    static func sent(_ seq: UInt16) -> RtpPacket {
        RtpPacket(payloadType: 96, sequenceNumber: seq, timestamp: 9000, ssrc: 0xAAAA, marker: seq % 2 == 0,
                  extensions: [RtpHeaderExtension(id: 4, data: [0x31])], payload: [UInt8(seq & 0xFF), 1, 2, 3])
    }
    /// Stand-in for SRTP output: distinct bytes per packet.
    static func protected(_ seq: UInt16) -> [UInt8] { sent(seq).serialized() + [0xEE, UInt8(seq & 0xFF)] }

    @Test func cacheAnswersExactlyTheRequestedPackets() {
        var responder = NackResponder()
        for s in UInt16(65530)...65535 { responder.onSent(Self.sent(s), protectedBytes: Self.protected(s), nowNs: 0) }
        for s in UInt16(0)...5 { responder.onSent(Self.sent(s), protectedBytes: Self.protected(s), nowNs: 0) }
        let nack = GenericNack(senderSsrc: 1, mediaSsrc: 0xAAAA, sequenceNumbers: [65533, 65535, 2, 9])
        let answers = responder.respond(to: nack, nowNs: 10 * rtpMs)
        #expect(answers == [.protectedBytes(Self.protected(65533)), .protectedBytes(Self.protected(65535)),
                            .protectedBytes(Self.protected(2))])
        #expect(responder.misses == 1)
        // Asked again within half an RTT (crossing the retransmission): rate limited; after it: answered again.
        #expect(responder.respond(to: [2], nowNs: 59 * rtpMs).isEmpty && responder.rateLimited == 1)
        #expect(responder.respond(to: [2], nowNs: 110 * rtpMs) == [.protectedBytes(Self.protected(2))])
    }

    @Test func rtxAnswersCarryTheOriginalSequenceNumber() throws {
        var responder = NackResponder(rtx: .init(payloadType: 97, ssrc: 0xBBBB, initialSequenceNumber: 500))
        for s in UInt16(100)...105 { responder.onSent(Self.sent(s), protectedBytes: Self.protected(s), nowNs: 0) }
        let answers = responder.respond(to: [101, 104], nowNs: 5 * rtpMs)
        guard answers.count == 2, case .rtx(let r1) = answers[0], case .rtx(let r2) = answers[1] else {
            Issue.record("got \(answers)"); return
        }
        #expect(r1.payloadType == 97 && r1.ssrc == 0xBBBB && r1.sequenceNumber == 500 && r2.sequenceNumber == 501)
        #expect(r1.timestamp == 9000 && !r1.marker && r2.marker && r1.extensions == Self.sent(101).extensions)
        #expect(r1.payload == [0x00, 101, 101, 1, 2, 3])
        // Wire format check (RFC 4588): header as the original but PT/SSRC/seq, then OSN, then payload.
        #expect(r1.serialized() == rtpHex("90 61 01 F4 00 00 23 28 00 00 BB BB BE DE 00 01 40 31 00 00 00 65 65 01 02 03"))
        let restored = try Rtx.decapsulate(r1, mediaSsrc: 0xAAAA, mediaPayloadType: 96)
        #expect(restored == Self.sent(101))
        #expect(throws: RtpParseError.self) {
            try Rtx.decapsulate(RtpPacket(payloadType: 97, sequenceNumber: 1, timestamp: 0, ssrc: 0xBBBB, payload: [1]),
                                mediaSsrc: 0xAAAA, mediaPayloadType: 96)
        }
    }

    @Test func packetsExpireAfterRetentionAndByteBudgetLimits() {
        var responder = NackResponder(maxRetransmitBitrate: 8 * 100)   // 100 bytes per second
        responder.rttNs = 500 * rtpMs   // retention becomes 3 × RTT = 1.5 s
        responder.onSent(Self.sent(1), protectedBytes: [UInt8](repeating: 1, count: 60), nowNs: 0)
        responder.onSent(Self.sent(2), protectedBytes: [UInt8](repeating: 2, count: 60), nowNs: 0)
        #expect(responder.respond(to: [1, 2], nowNs: 10 * rtpMs).count == 1 && responder.rateLimited == 1)
        #expect(responder.respond(to: [2], nowNs: 700 * rtpMs).count == 1)   // budget refilled
        #expect(responder.respond(to: [1], nowNs: 1_499 * rtpMs).count == 1)
        responder.onSent(Self.sent(3), protectedBytes: [3], nowNs: 1_500 * rtpMs)
        #expect(responder.count == 1)
        #expect(responder.respond(to: [1, 2], nowNs: 1_600 * rtpMs).isEmpty && responder.misses == 2)
    }
}
