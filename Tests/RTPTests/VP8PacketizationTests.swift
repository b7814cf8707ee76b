import Codecs
import Media
@testable import RTP
import Testing

@Suite struct VP8PacketizationTests {
    @Test func descriptorVectors() throws {
        // X, S, 15-bit PictureID 0x0123.
        let (a, aSize) = try VP8PayloadDescriptor.parse(rtpHex("90 80 81 23 FF"))
        #expect(aSize == 4 && a.startOfPartition && a.partitionId == 0 && a.pictureId == 0x123 && a.pictureIdIs15Bit)
        #expect(a.serialized() == rtpHex("90 80 81 23"))
        // X, 7-bit PictureID 5, PID 5, not a start.
        let (b, bSize) = try VP8PayloadDescriptor.parse(rtpHex("85 80 05 FF"))
        #expect(bSize == 3 && !b.startOfPartition && b.partitionId == 5 && b.pictureId == 5 && !b.pictureIdIs15Bit)
        #expect(b.serialized() == rtpHex("85 80 05"))
        // Everything: N, S, I (15-bit 5), L (TL0PICIDX 0x11), T+Y (TID 2), K (KEYIDX 3).
        let (c, cSize) = try VP8PayloadDescriptor.parse(rtpHex("B0 F0 80 05 11 A3 00"))
        #expect(cSize == 6 && c.nonReference && c.tl0PicIdx == 0x11 && c.temporalLayerId == 2 && c.layerSync)
        #expect(c.keyIndex == 3 && c.pictureId == 5)
        #expect(c.serialized() == rtpHex("B0 F0 80 05 11 A3"))
        // No extension at all.
        let (d, dSize) = try VP8PayloadDescriptor.parse(rtpHex("10 9D"))
        #expect(dSize == 1 && d.isStartOfFrame && d.pictureId == nil)
        #expect(throws: RtpParseError.self) { try VP8PayloadDescriptor.parse(rtpHex("90 80 81")) }
        #expect(throws: RtpParseError.self) { try VP8Depacketizer.depacketize(rtpHex("90 80 81 23")) }
    }

    @Test func packetizerSplitsEvenlyWithPictureIds() throws {
        var packetizer = VP8Packetizer(initialPictureId: 0x7FFF)
        let key = fakeVP8Frame(size: 5000, keyframe: true, seed: 1)
        let payloads = packetizer.packetize(frame: key, isKeyframe: true)
        #expect(payloads.count == 5)
        #expect(payloads.allSatisfy { $0.count <= VP8Packetizer.defaultMaxPayloadSize })
        #expect(payloads.map(\.count) == [1004, 1004, 1004, 1004, 1004])
        let parsed = try payloads.map { try VP8Depacketizer.depacketize($0) }
        #expect(parsed.map(\.isStartOfFrame) == [true, false, false, false, false])
        #expect(parsed[0].isKeyframe && parsed.allSatisfy { $0.pictureId == 0x7FFF })
        #expect(parsed.flatMap(\.data) == key)
        let delta = packetizer.packetize(frame: fakeVP8Frame(size: 300, keyframe: false, seed: 2))
        #expect(delta.count == 1)
        let d = try VP8Depacketizer.depacketize(delta[0])
        #expect(d.pictureId == 0 && d.isStartOfFrame && !d.isKeyframe)   // 15-bit wrap
        var small = VP8Packetizer(maxPayloadSize: 100, initialPictureId: 1)
        #expect(small.packetize(frame: [UInt8](repeating: 1, count: 961)).map(\.count) == [92, 92, 92, 92, 91, 91, 91, 91, 91, 91, 91])
        let random = VP8Packetizer()
        #expect(random.nextPictureId <= 0x7FFF)
    }

    @Test func shuffledKeyAndDeltaFramesReassembleToIdenticalBytes() {
        var rng = RtpTestRandom(seed: 7)
        var packetizer = VP8Packetizer(initialPictureId: 100)
        let key = fakeVP8Frame(size: 5000, keyframe: true, seed: 3)
        let delta = fakeVP8Frame(size: 300, keyframe: false, seed: 4)
        var packets = vp8Packets(&packetizer, frame: key, keyframe: true, firstSeq: 65533, timestamp: 90_000)
        packets += vp8Packets(&packetizer, frame: delta, keyframe: false, firstSeq: 65533 &+ 5, timestamp: 93_000)
        packets.shuffle(using: &rng)
        var assembler = FrameAssembler()
        var frames: [AssembledFrame] = []
        for (i, p) in packets.enumerated() { frames += assembler.insert(p, arrivalNs: UInt64(i) * rtpMs) }
        #expect(frames.count == 2)
        #expect(frames.first?.data == key && frames.first?.isKeyframe == true)
        #expect(frames.first?.firstSequenceNumber == 65533 && frames.first?.lastSequenceNumber == 1)
        #expect(frames.last?.data == delta && frames.last?.isKeyframe == false && frames.last?.rtpTimestamp == 93_000)
        #expect(frames.allSatisfy { !$0.missingBefore } && !assembler.needsKeyframe)
        #expect(frames.map(\.pictureId) == [100, 101])
    }

    /// Real libvpx frames through packetizer, reordering and assembler decode to the same pictures.
    @Test func realVP8StreamSurvivesReorderingAndDecodesIdentically() throws {
        let encoder = VP8Encoder(settings: VP8EncoderSettings(bitrate: 1_000_000))
        let direct = try VP8Decoder(), viaRtp = try VP8Decoder()
        var packetizer = VP8Packetizer()
        var assembler = FrameAssembler()
        var rng = RtpTestRandom(seed: 11)
        var seq: UInt16 = 40_000
        var pending: [RtpPacket] = []
        var arrival: UInt64 = 0
        var encoded: [[UInt8]] = []
        var assembled: [AssembledFrame] = []
        for i in 0..<30 {
            var frame = VideoFrame(width: 320, height: 240, fillY: 60, timestampNs: UInt64(i) * 50 * rtpMs)
            for row in 0..<240 { for col in 0..<320 { frame.y[row * 320 + col] = UInt8(truncatingIfNeeded: row * 3 + col + i * 5) } }
            guard let e = try encoder.encode(frame) else { continue }
            encoded.append(e.data)
            let packets = vp8Packets(&packetizer, frame: e.data, keyframe: e.isKeyframe, firstSeq: seq,
                                     timestamp: UInt32(i * 4500))
            seq &+= UInt16(packets.count)
            // Reorder across frame boundaries: keep a window of packets and release them shuffled.
            pending += packets
            pending.shuffle(using: &rng)
            while pending.count > 3 {
                arrival += rtpMs
                assembled += assembler.insert(pending.removeFirst(), arrivalNs: arrival)
            }
        }
        for p in pending { arrival += rtpMs; assembled += assembler.insert(p, arrivalNs: arrival) }
        #expect(assembled.map(\.data) == encoded)
        #expect(assembled.first?.isKeyframe == true && assembled.allSatisfy { !$0.missingBefore })
        for (e, a) in zip(encoded, assembled) {
            #expect(try direct.decode(e) == viaRtp.decode(a.data, missingBefore: a.missingBefore))
        }
    }
}
