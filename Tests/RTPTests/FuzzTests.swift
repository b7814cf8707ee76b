@testable import RTP
import Testing

/// Parsers meet random and mutated bytes: they must throw or succeed, never trap, and whatever parses must
/// survive a serialize/parse round trip.
@Suite struct FuzzTests {
    static let seeds: [[UInt8]] = [
        RtpPacketTests.withExtensions,
        RtcpPacketTests.sr + RtcpPacketTests.sdes,
        RtcpPacketTests.rr + RtcpPacketTests.remb,
        rtpHex("81 CD 00 03 00 00 00 01 5D 93 1A 7C 00 64 00 05"),
        rtpHex("84 CE 00 04 00 00 00 01 00 00 00 00 5D 93 1A 7C 07 00 00 00"),
        rtpHex("81 CB 00 03 5D 93 1A 7C 04 64 6F 6E 65 00 00 00"),
        rtpHex("B2 6F 00 01 00 00 03 E8 CA FE BA BE 00 00 00 0A 00 00 00 0B 10 00 00 02 14 02 01 02 05 00 00 00 01 02 03 00 00 03"),
    ]

    static func mutate(_ input: [UInt8], _ rng: inout RtpTestRandom) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !b.isEmpty: b[Int.random(in: 0..<b.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            case 1 where !b.isEmpty: b[Int.random(in: 0..<b.count, using: &rng)] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
            case 2 where !b.isEmpty: b.removeLast(Int.random(in: 0...b.count, using: &rng))
            case 3: b.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...b.count, using: &rng))
            default: b += rng.bytes(Int.random(in: 0..<8, using: &rng))
            }
        }
        return b
    }

    static func inputs(_ count: Int, seed: UInt64) -> [[UInt8]] {
        var rng = RtpTestRandom(seed: seed)
        return (0..<count).map { i in
            if i % 3 == 0 { return rng.bytes(Int.random(in: 0..<64, using: &rng)) }
            // Random bytes behind a valid-looking first byte reach deeper than pure noise.
            if i % 3 == 1 { return [0x80 | UInt8.random(in: 0..<64, using: &rng)] + rng.bytes(Int.random(in: 1..<80, using: &rng)) }
            return mutate(seeds[Int.random(in: 0..<seeds.count, using: &rng)], &rng)
        }
    }

    @Test func rtpParserNeverTrapsAndRoundTrips() throws {
        var parsed = 0
        for input in Self.inputs(20_000, seed: 1) {
            guard let p = try? RtpPacket(parsing: input) else { continue }
            parsed += 1
            #expect(try RtpPacket(parsing: p.serialized()) == p)
        }
        #expect(parsed > 1_000, "only \(parsed) inputs parsed: the fuzzer is not reaching the parser")
    }

    @Test func rtcpParserNeverTrapsAndRoundTrips() throws {
        var parsed = 0
        for input in Self.inputs(20_000, seed: 2) {
            guard let packets = try? RtcpPacket.parseCompound(input) else { continue }
            parsed += 1
            let again = try RtcpPacket.parseCompound(RtcpPacket.serializeCompound(packets))
            #expect(again.count == packets.count)
        }
        #expect(parsed > 500, "only \(parsed) inputs parsed")
    }

    @Test func vp8AndRtxParsersNeverTrap() {
        var rng = RtpTestRandom(seed: 3)
        for _ in 0..<20_000 {
            let bytes = rng.bytes(Int.random(in: 0..<12, using: &rng))
            if let (d, size) = try? VP8PayloadDescriptor.parse(bytes) {
                #expect(size <= bytes.count && size >= 1)
                let again = try? VP8PayloadDescriptor.parse(d.serialized())
                #expect(again?.0.pictureId == d.pictureId)
            }
            _ = try? VP8Depacketizer.depacketize(bytes)
            _ = OpusPayload.samples(in: bytes)
            let p = RtpPacket(payloadType: 97, sequenceNumber: 1, timestamp: 2, ssrc: 3, payload: bytes)
            _ = try? Rtx.decapsulate(p, mediaSsrc: 4, mediaPayloadType: 96)
        }
    }

    /// Random VP8-ish packets in random order at random times: the receive path stays bounded and sane.
    @Test func receivePathSurvivesGarbageStreams() {
        var rng = RtpTestRandom(seed: 4)
        var asm = FrameAssembler(configuration: .init(capacity: 256))
        var nack = NackGenerator()
        var stats = ReceiveStatistics(ssrc: 1, clockRate: 90_000)
        var audio = AudioJitterBuffer()
        var now: UInt64 = 0
        var emitted = 0
        for i in 0..<10_000 {
            now += UInt64.random(in: 0...5_000_000, using: &rng)
            // Mostly a reordered sequence with jumps now and then; payload starts are a mix of VP8 descriptors and noise.
            let seq = Int.random(in: 0..<100, using: &rng) == 0 ? UInt16.random(in: 0...UInt16.max, using: &rng)
                : UInt16(truncatingIfNeeded: i + Int.random(in: -3...3, using: &rng))
            let ts = UInt32(i / 3) * 3000
            let first: [UInt8] = [[0x10], [0x00], [0x90, 0x80, 0x81, 0x23], rng.bytes(1)][Int.random(in: 0..<4, using: &rng)]
            let payload = first + rng.bytes(Int.random(in: 0..<6, using: &rng))
            let p = RtpPacket(payloadType: 96, sequenceNumber: seq, timestamp: ts, ssrc: 1,
                              marker: Int.random(in: 0..<3, using: &rng) == 0, payload: payload)
            emitted += asm.insert(p, arrivalNs: now).count
            emitted += asm.poll(nowNs: now).count
            nack.onPacket(sequenceNumber: seq, nowNs: now)
            _ = nack.poll(nowNs: now)
            stats.onPacket(sequenceNumber: seq, rtpTimestamp: ts, payloadBytes: payload.count, arrivalNs: now)
            audio.insert(timestamp: ts &* 7, payload: payload, arrivalNs: now)
            _ = audio.pull(nowNs: now)
            #expect(asm.packetBuffer.count <= 256 && audio.bufferedPackets <= 100)
            #expect(nack.missingSequenceNumbers.count <= 1000)
        }
        _ = stats.makeReportBlock(nowNs: now)
        #expect(emitted > 0)
    }
}
