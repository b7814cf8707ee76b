@testable import RTP
import Testing

/// transport-cc feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01): the wire format both ways and
/// the receiver's generator.
struct TransportFeedbackTests {
    static let ms: UInt64 = 1_000_000

    @Test func aTwoBitStatusVectorWithSmallLargeAndMissingPackets() throws {
        let fb = TransportFeedback(senderSsrc: 1, mediaSsrc: 2, baseSequenceNumber: 100, referenceTime: 16,
                                   feedbackCount: 7, deltas: [4, nil, -4])
        let wire: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0x64, 0x00, 0x03, 0x00, 0x00, 0x10, 0x07,
                             0xD2, 0x00,  // two-bit vector: received small, not received, received large
                             0x04, 0xFF, 0xFC, 0, 0, 0]
        #expect(fb.body() == wire)
        #expect(try TransportFeedback(body: wire) == fb)
        let compound = RtcpPacket.serializeCompound([.transportFeedback(fb)])
        #expect(compound[0] & 0x1F == 15 && compound[1] == 205)
        #expect(try RtcpPacket.parseCompound(compound) == [.transportFeedback(fb)])
    }

    @Test func runsAndOneBitVectorsRoundTrip() throws {
        let deltas: [Int16?] = Array(repeating: 4, count: 30) + Array(repeating: nil, count: 20)
            + [1, nil, 2, 3, nil, 300] + Array(repeating: 0, count: 9)
        let fb = TransportFeedback(senderSsrc: 9, mediaSsrc: 0, baseSequenceNumber: 65_530, referenceTime: -2,
                                   feedbackCount: 255, deltas: deltas)
        let body = fb.body()
        #expect(body.count % 4 == 0)
        #expect(try TransportFeedback(body: body) == fb)
    }

    @Test func hostileFeedbackIsAnErrorNotACrash() {
        let header: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0x00, 0x20, 0, 0, 0, 0]
        #expect(throws: RtpParseError.self) { try TransportFeedback(body: header) }  // 32 packets, no chunks
        #expect(throws: RtpParseError.self) { try TransportFeedback(body: header + [0x60, 0x20]) }  // run of status 3
        #expect(throws: RtpParseError.self) { try TransportFeedback(body: header + [0x20, 0x20]) }  // 32 deltas missing
        #expect(throws: RtpParseError.self) { try TransportFeedback(body: Array(header.prefix(10))) }
    }

    @Test func theGeneratorReportsArrivalsOnceAndLossesBetweenThem() {
        var g = TransportFeedbackGenerator()
        let t0: UInt64 = 10_000 * Self.ms  // a multiple of 64 ms: the first delta is 0
        g.onPacket(transportSequenceNumber: 65_534, ssrc: 5, arrivalNs: t0)
        g.onPacket(transportSequenceNumber: 65_535, ssrc: 5, arrivalNs: t0 + Self.ms)
        g.onPacket(transportSequenceNumber: 1, ssrc: 5, arrivalNs: t0 + 3 * Self.ms)  // 0 lost, across the wrap
        let first = g.poll(senderSsrc: 7, nowNs: t0 + 4 * Self.ms)
        #expect(first == [TransportFeedback(senderSsrc: 7, mediaSsrc: 5, baseSequenceNumber: 65_534,
                                            referenceTime: Int32(10_000 / 64), feedbackCount: 0,
                                            deltas: [Int16(10_000 % 64 * 4), 4, nil, 8])])
        g.onPacket(transportSequenceNumber: 0, ssrc: 5, arrivalNs: t0 + 5 * Self.ms)  // late: already reported lost
        g.onPacket(transportSequenceNumber: 2, ssrc: 5, arrivalNs: t0 + 6 * Self.ms)
        #expect(g.poll(senderSsrc: 7, nowNs: t0 + 50 * Self.ms).isEmpty, "one feedback per 100 ms")
        let second = g.poll(senderSsrc: 7, nowNs: t0 + 104 * Self.ms)
        #expect(second.count == 1 && second[0].baseSequenceNumber == 2 && second[0].deltas.count == 1
                && second[0].feedbackCount == 1)
        #expect(g.poll(senderSsrc: 7, nowNs: t0 + 300 * Self.ms).isEmpty, "nothing new arrived")
    }

    @Test func aGapTooLongForOneDeltaStartsAnotherFeedback() {
        var g = TransportFeedbackGenerator()
        g.onPacket(transportSequenceNumber: 1, ssrc: 5, arrivalNs: 1_000 * Self.ms)
        g.onPacket(transportSequenceNumber: 2, ssrc: 5, arrivalNs: 10_000 * Self.ms)  // 9 s: beyond ±8.19 s
        let out = g.poll(senderSsrc: 7, nowNs: 10_001 * Self.ms)
        #expect(out.map(\.baseSequenceNumber) == [1, 2] && out.map(\.deltas.count) == [1, 1])
        #expect(out.map(\.feedbackCount) == [0, 1])
    }

    /// A peer stopped for 12 s left more losses in a row than one feedback holds: the feedback starts at the next
    /// arrival (this once spun forever building empty feedback).
    @Test func moreLossesInARowThanOneFeedbackHolds() {
        var g = TransportFeedbackGenerator()
        g.onPacket(transportSequenceNumber: 10, ssrc: 5, arrivalNs: 1_000 * Self.ms)
        #expect(g.poll(senderSsrc: 7, nowNs: 1_001 * Self.ms).count == 1)
        g.onPacket(transportSequenceNumber: 1_600, ssrc: 5, arrivalNs: 13_000 * Self.ms)
        g.onPacket(transportSequenceNumber: 1_602, ssrc: 5, arrivalNs: 13_001 * Self.ms)
        let out = g.poll(senderSsrc: 7, nowNs: 13_002 * Self.ms)
        #expect(out.map(\.baseSequenceNumber) == [1_600] && out.first?.deltas.count == 3)
    }
}
