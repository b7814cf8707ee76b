@testable import RTP
import Testing

@Suite struct FrameAssemblerTests {
    /// A small stream: keyframe A (5 packets), delta B (2 packets), deltas C and D (1 each), keyframe E.
    struct Stream {
        var a: [RtpPacket], b: [RtpPacket], c: [RtpPacket], d: [RtpPacket], e: [RtpPacket]
        var frames: [[UInt8]]
        init(firstSeq: UInt16 = 1000) {
            var p = VP8Packetizer(initialPictureId: 10)
            frames = [fakeVP8Frame(size: 5000, keyframe: true, seed: 1), fakeVP8Frame(size: 2000, keyframe: false, seed: 2),
                      fakeVP8Frame(size: 300, keyframe: false, seed: 3), fakeVP8Frame(size: 300, keyframe: false, seed: 4),
                      fakeVP8Frame(size: 4000, keyframe: true, seed: 5)]
            a = vp8Packets(&p, frame: frames[0], keyframe: true, firstSeq: firstSeq, timestamp: 0)
            b = vp8Packets(&p, frame: frames[1], keyframe: false, firstSeq: firstSeq &+ 5, timestamp: 3000)
            c = vp8Packets(&p, frame: frames[2], keyframe: false, firstSeq: firstSeq &+ 7, timestamp: 6000)
            d = vp8Packets(&p, frame: frames[3], keyframe: false, firstSeq: firstSeq &+ 8, timestamp: 9000)
            e = vp8Packets(&p, frame: frames[4], keyframe: true, firstSeq: firstSeq &+ 9, timestamp: 12000)
        }
    }

    static func feed(_ asm: inout FrameAssembler, _ packets: [RtpPacket], at ms: UInt64) -> [AssembledFrame] {
        packets.flatMap { asm.insert($0, arrivalNs: ms * rtpMs) }
    }

    @Test func lostPacketDropsFrameAtDeadlineThenFlagsNextAndKeyframeClears() {
        let s = Stream()
        var asm = FrameAssembler()
        #expect(Self.feed(&asm, s.a, at: 0).map(\.data) == [s.frames[0]])
        #expect(Self.feed(&asm, [s.b[0]], at: 33).isEmpty)   // b[1] is lost
        #expect(Self.feed(&asm, s.c, at: 66).isEmpty)        // complete, but waits behind B
        #expect(Self.feed(&asm, s.d, at: 100).isEmpty)
        // The wait runs from when the loss showed (C's arrival after the gap), not from B's first packet.
        #expect(asm.nextDeadlineNs == 166 * rtpMs)
        #expect(asm.poll(nowNs: 165 * rtpMs).isEmpty && !asm.needsKeyframe)
        let out = asm.poll(nowNs: 166 * rtpMs)
        #expect(out.map(\.data) == [s.frames[2], s.frames[3]])
        #expect(out.map(\.missingBefore) == [true, false])
        #expect(asm.needsKeyframe && asm.lossEvents == 1)
        // The retransmission arrives too late and is dropped, not emitted.
        #expect(Self.feed(&asm, [s.b[1]], at: 170).isEmpty)
        #expect(asm.packetBuffer.tooOld == 1)
        let key = Self.feed(&asm, s.e, at: 200)
        #expect(key.map(\.data) == [s.frames[4]] && key[0].isKeyframe && !key[0].missingBefore)
        #expect(!asm.needsKeyframe && asm.nextDeadlineNs == nil)
    }

    @Test func retransmissionBeforeDeadlineCompletesFrameInOrder() {
        let s = Stream(firstSeq: 65533)   // sequence numbers wrap inside the stream
        var asm = FrameAssembler()
        _ = Self.feed(&asm, s.a, at: 0)
        _ = Self.feed(&asm, [s.b[0]] + s.c, at: 33)
        let out = Self.feed(&asm, [s.b[1]], at: 80)
        #expect(out.map(\.data) == [s.frames[1], s.frames[2]])
        #expect(out.allSatisfy { !$0.missingBefore } && !asm.needsKeyframe && asm.lossEvents == 0)
    }

    @Test func completeKeyframeAfterLossIsTakenAtOnce() {
        let s = Stream()
        var asm = FrameAssembler()
        _ = Self.feed(&asm, s.a, at: 0)
        _ = Self.feed(&asm, [s.b[1]] + s.c, at: 33)          // b[0] (the start) lost
        let out = Self.feed(&asm, s.e, at: 50)               // before B's deadline
        #expect(out.map(\.data) == [s.frames[4]] && out[0].isKeyframe && out[0].missingBefore)
        #expect(!asm.needsKeyframe && asm.lossEvents == 1)
    }

    @Test func canDropDeltaFramesUntilKeyframe() {
        let s = Stream()
        var asm = FrameAssembler(configuration: .init(dropDeltaFramesAfterLoss: true))
        _ = Self.feed(&asm, s.a, at: 0)
        _ = Self.feed(&asm, [s.b[0]] + s.c + s.d, at: 33)
        #expect(asm.poll(nowNs: 200 * rtpMs).isEmpty)
        #expect(asm.framesDroppedAwaitingKeyframe == 2 && asm.needsKeyframe)
        #expect(Self.feed(&asm, s.e, at: 210).map(\.data) == [s.frames[4]])
    }

    @Test func shorterDeadlineFromConfiguration() {
        let s = Stream()
        var asm = FrameAssembler(configuration: .init(maxWaitNs: 30 * rtpMs))
        _ = Self.feed(&asm, s.a, at: 0)
        _ = Self.feed(&asm, [s.b[0]] + s.c, at: 33)
        #expect(asm.poll(nowNs: 62 * rtpMs).isEmpty)
        #expect(asm.poll(nowNs: 63 * rtpMs).map(\.data) == [s.frames[2]])
    }

    /// A keyframe paced out over 200 ms whose packet near the end is lost gets the full wait from the loss on,
    /// not what is left of it after its first packet.
    @Test func aPacedKeyframeWaitsFromItsLossNotFromItsFirstPacket() {
        var p = VP8Packetizer(initialPictureId: 1)
        let frame = fakeVP8Frame(size: 20_000, keyframe: true, seed: 9)
        let packets = vp8Packets(&p, frame: frame, keyframe: true, firstSeq: 100, timestamp: 0)
        #expect(packets.count > 10, "paced over more than the 100 ms wait")
        var asm = FrameAssembler()   // waits 100 ms
        let lost = packets.count - 2
        for (i, packet) in packets.enumerated() where i != lost {
            #expect(asm.insert(packet, arrivalNs: UInt64(i) * 10 * rtpMs).isEmpty)
        }
        let noticed = UInt64(lost + 1) * 10
        #expect(asm.nextDeadlineNs == (noticed + 100) * rtpMs)
        let key = asm.insert(packets[lost], arrivalNs: (noticed + 90) * rtpMs)
        #expect(key.map(\.data) == [frame] && key.first?.isKeyframe == true && asm.lossEvents == 0)
    }

    /// An incomplete frame waits for four re-NACK intervals (1.25 × RTT) and a margin, within 100 ms … 1 s.
    @Test func theDeadlineFollowsTheRtt() {
        var asm = FrameAssembler()
        asm.updateRtt(120 * rtpMs)
        #expect(asm.configuration.maxWaitNs == 750 * rtpMs)
        asm.updateRtt(400 * rtpMs)
        #expect(asm.configuration.maxWaitNs == 1_000 * rtpMs)
        asm.updateRtt(0)
        #expect(asm.configuration.maxWaitNs == 150 * rtpMs)
    }

    @Test func streamJoinedMidFrameStartsAtNextFrame() {
        let s = Stream()
        var asm = FrameAssembler()
        // A's first packets never arrived; the stream starts with its tail, then B and C.
        var out = Self.feed(&asm, Array(s.a[3...]), at: 0)
        // B is complete, but A's start may still be on its way (reordering): wait for the orphans' deadline.
        out += Self.feed(&asm, s.b + s.c, at: 10)
        #expect(out.isEmpty && asm.nextDeadlineNs == 100 * rtpMs)
        // Then B, a delta frame with no keyframe before it, waits out its own deadline too.
        #expect(asm.poll(nowNs: 100 * rtpMs).isEmpty && asm.nextDeadlineNs == 110 * rtpMs)
        out = asm.poll(nowNs: 110 * rtpMs)
        #expect(out.map(\.data) == [s.frames[1], s.frames[2]])
        #expect(out[0].missingBefore && asm.needsKeyframe)
        #expect(Self.feed(&asm, s.d + s.e, at: 20).last?.isKeyframe == true && !asm.needsKeyframe)
    }

    @Test func startupReorderingKeepsTheFirstKeyframe() {
        let s = Stream()
        var asm = FrameAssembler()
        // The delta frame C and A's tail arrive before A's first packet.
        var out = Self.feed(&asm, s.c + Array(s.a[1...]) + s.b, at: 0)
        #expect(out.isEmpty)
        out = Self.feed(&asm, [s.a[0]], at: 3)
        #expect(out.map(\.data) == [s.frames[0], s.frames[1], s.frames[2]] && out.allSatisfy { !$0.missingBefore })
    }

    @Test func paddingPacketsAndDuplicatesDoNotStall() {
        let s = Stream()
        var asm = FrameAssembler()
        _ = Self.feed(&asm, s.a + s.a, at: 0)
        #expect(asm.packetBuffer.duplicates == 0 && asm.packetBuffer.tooOld == 5)  // already consumed
        // A padding-only packet (bandwidth probe) sits between A and B; B then arrives renumbered after it.
        var p = VP8Packetizer(initialPictureId: 3)
        let padding = RtpPacket(payloadType: 96, sequenceNumber: 1005, timestamp: 0, ssrc: 0x1234_5678, paddingSize: 200)
        let b = vp8Packets(&p, frame: s.frames[1], keyframe: false, firstSeq: 1006, timestamp: 3000)
        let out = Self.feed(&asm, [b[1], padding, b[0], b[1]], at: 5)
        #expect(out.map(\.data) == [s.frames[1]] && !out[0].missingBefore)
        #expect(asm.packetBuffer.duplicates + asm.packetBuffer.tooOld == 6)
    }

    @Test func lostPaddingIsProvedHarmlessByConsecutivePictureIds() {
        let s = Stream()
        var asm = FrameAssembler()
        _ = Self.feed(&asm, s.a, at: 0)
        // Sequence numbers 1005 and 1006 were padding and got lost; B follows with the next picture ID.
        var p = VP8Packetizer(initialPictureId: 11)
        let b = vp8Packets(&p, frame: s.frames[1], keyframe: false, firstSeq: 1007, timestamp: 3000)
        let out = Self.feed(&asm, b, at: 33)
        #expect(out.map(\.data) == [s.frames[1]] && !out[0].missingBefore && !asm.needsKeyframe)
        // A picture ID that skips one means a frame is gone: that still waits for the deadline.
        var skipping = VP8Packetizer(initialPictureId: 13)
        let c = vp8Packets(&skipping, frame: s.frames[2], keyframe: false, firstSeq: 1010, timestamp: 9000)
        #expect(Self.feed(&asm, c, at: 66).isEmpty)
        #expect(asm.poll(nowNs: 166 * rtpMs).first?.missingBefore == true)
    }

    @Test func malformedPayloadsAreCountedAndSkipped() {
        var asm = FrameAssembler()
        let bad = RtpPacket(payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, payload: [0x90, 0x80])
        #expect(asm.insert(bad, arrivalNs: 0).isEmpty && asm.malformedPackets == 1)
    }

    @Test func packetBufferEvictsBeyondCapacity() {
        var buf = PacketBuffer<Int>(capacity: 4)
        for s: UInt16 in [10, 11, 12, 13] { #expect(buf.insert(Int(s), sequenceNumber: s) == .inserted(Int64(s))) }
        #expect(buf.insert(0, sequenceNumber: 12) == .duplicate)
        #expect(buf.insert(15, sequenceNumber: 15) == .inserted(15))
        #expect(buf.evicted == 2 && buf.lowest == 12 && buf.highest == 15 && buf.count == 3)
        #expect(buf.insert(11, sequenceNumber: 11) == .tooOld)
        #expect(buf.removeAll(before: 14) == 2 && buf.lowest == 15)
        #expect(buf.packets(from: 0).map(\.seq) == [15])
    }
}
