import Capture
import Codecs
import Media
import Testing

/// Encodes the test pattern and decodes it again, checking what a viewer would see.
@Suite struct VP8CodecTests {
    static let frameNs: UInt64 = 33_333_333
    static let baseNs: UInt64 = 5_000_000_000_000

    static func pattern(_ i: Int, width: Int = 320, height: Int = 240) -> VideoFrame {
        TestPattern.frame(width: width, height: height, counter: UInt32(i), timestampNs: baseNs + UInt64(i) * frameNs)
    }

    /// Encodes frame `i`, failing the test if rate control drops it.
    static func encode(_ encoder: VP8Encoder, _ frame: VideoFrame) throws -> VP8EncodedFrame {
        try #require(try encoder.encode(frame), "encoder dropped frame \(frame.timestampNs)")
    }

    static func picture(_ result: VP8DecodeResult) -> VideoFrame? {
        if case .frame(let f) = result { return f }
        return nil
    }

    @Test func testPatternAt1MbpsKeepsQualityAndCounter() throws {
        let encoder = VP8Encoder(settings: VP8EncoderSettings(bitrate: 1_000_000))
        let decoder = try VP8Decoder()
        let frames = 60
        var psnrs = [Double](), bytes = 0
        for i in 0..<frames {
            let source = Self.pattern(i, width: 640, height: 480)
            let encoded = try Self.encode(encoder, source)
            bytes += encoded.data.count
            let result = try decoder.decode(encoded.data, timestampNs: source.timestampNs)
            let picture = try #require(Self.picture(result), "frame \(i) gave \(result)")
            #expect(picture.width == 640 && picture.height == 480 && picture.timestampNs == source.timestampNs)
            psnrs.append(try #require(VideoQuality.lumaPSNR(source, picture)))
            let stamp = TestPattern.decode(picture, referenceNs: source.timestampNs)
            #expect(stamp == TestPatternStamp(frameCounter: UInt32(i), timestampNs: source.timestampNs),
                    "frame \(i): counter read as \(String(describing: stamp))")
        }
        #expect(psnrs.min()! >= 30, "luma PSNR per frame: \(psnrs.map { Int($0) })")
        // CBR should not exceed the target by more than the overshoot allowance over two seconds.
        let kbps = Double(bytes * 8) / (Double(frames) / 30) / 1000
        #expect(kbps < 1_150, "stream averaged \(kbps) kbit/s for a 1000 kbit/s target")
    }

    @Test func requestedKeyframesAreKeyframes() async throws {
        let encoder = VP8Encoder()
        let decoder = try VP8Decoder()
        let requests = encoder.requests
        var keyframes = [Int]()
        for i in 0..<40 {
            if i == 10 { requests.requestKeyframe() }
            // A PLI arrives on the RTCP thread, not the encoding one.
            if i == 25 { await Task.detached { requests.requestKeyframe() }.value }
            let encoded = try Self.encode(encoder, Self.pattern(i))
            #expect(VP8FrameHeader.isKeyframe(encoded.data) == encoded.isKeyframe)
            if encoded.isKeyframe {
                keyframes.append(i)
                let header = try VP8FrameHeader.parse(encoded.data)
                #expect(header.width == 320 && header.height == 240)
            }
            #expect(Self.picture(try decoder.decode(encoded.data)) != nil)
        }
        #expect(keyframes == [0, 10, 25])
    }

    @Test func keyframeMaxIntervalIsHonoured() throws {
        let encoder = VP8Encoder(settings: VP8EncoderSettings(keyframeMaxInterval: 8))
        var keyframes = [Int]()
        for i in 0..<30 where try Self.encode(encoder, Self.pattern(i)).isKeyframe { keyframes.append(i) }
        let gaps = zip(keyframes.dropFirst(), keyframes).map { $0 - $1 }
        #expect(keyframes.first == 0 && keyframes.count >= 4)
        #expect(gaps.allSatisfy { $0 <= 8 }, "keyframes at \(keyframes)")
    }

    @Test func bitrateChangeAppliesWithoutKeyframe() throws {
        let encoder = VP8Encoder(settings: VP8EncoderSettings(bitrate: 1_000_000))
        var bytesHigh = 0, bytesLow = 0
        for i in 0..<120 {
            if i == 60 { encoder.requests.setTargetBitrate(150_000) }
            let encoded = try encoder.encode(Self.pattern(i, width: 640, height: 480))
            if i > 0 { #expect(encoded?.isKeyframe != true, "frame \(i) became a keyframe") }
            let n = encoded?.data.count ?? 0
            if (30..<60).contains(i) { bytesHigh += n }
            if (90..<120).contains(i) { bytesLow += n }
        }
        #expect(encoder.settings.bitrate == 150_000)
        #expect(bytesLow * 2 < bytesHigh, "last second at 1 Mbit/s: \(bytesHigh) B, at 150 kbit/s: \(bytesLow) B")
        #expect(bytesLow * 8 < 150_000 * 115 / 100, "\(bytesLow * 8) bit in one second at 150 kbit/s")
    }

    /// Browsers start small and grow; the encoder here shrinks then grows, and the decoder follows.
    @Test func sizeChangesMidStreamOnBothEnds() throws {
        let encoder = VP8Encoder()
        let decoder = try VP8Decoder()
        let sizes = [(320, 240), (160, 120), (640, 480), (176, 144)]
        var i = 0
        for (w, h) in sizes {
            for step in 0..<5 {
                let source = Self.pattern(i, width: w, height: h)
                let encoded = try Self.encode(encoder, source)
                #expect(encoded.isKeyframe == (step == 0), "frame \(i) at \(w)x\(h)")
                #expect(encoded.width == w && encoded.height == h)
                let picture = try #require(Self.picture(try decoder.decode(encoded.data)))
                #expect(picture.width == w && picture.height == h)
                #expect(decoder.width == w && decoder.height == h)
                #expect(VideoQuality.lumaPSNR(source, picture)! >= 30)
                #expect(TestPattern.decode(picture, referenceNs: source.timestampNs)?.frameCounter == UInt32(i))
                i += 1
            }
        }
    }

    @Test func oddSizeRoundTrips() throws {
        let encoder = VP8Encoder()
        let decoder = try VP8Decoder()
        for i in 0..<3 {
            let source = Self.pattern(i, width: 161, height: 121)
            let picture = try #require(Self.picture(try decoder.decode(try Self.encode(encoder, source).data)))
            #expect(picture.width == 161 && picture.height == 121 && picture.u.count == 81 * 61)
            #expect(VideoQuality.lumaPSNR(source, picture)! >= 30)
        }
    }

    @Test func paddedInputStridesAreRespected() throws {
        let packed = Self.pattern(0)
        func pad(_ p: [UInt8], _ w: Int, _ h: Int, _ stride: Int) -> [UInt8] {
            var out = [UInt8](repeating: 0xFF, count: stride * h)
            for r in 0..<h { out.replaceSubrange(r * stride..<(r * stride + w), with: p[r * w..<(r * w + w)]) }
            return out
        }
        let padded = VideoFrame(width: 320, height: 240, y: pad(packed.y, 320, 240, 384),
                                u: pad(packed.u, 160, 120, 192), v: pad(packed.v, 160, 120, 192),
                                strideY: 384, strideU: 192, strideV: 192, timestampNs: 0)
        let picture = try #require(Self.picture(
            try VP8Decoder().decode(try Self.encode(VP8Encoder(), padded).data)))
        #expect(VideoQuality.lumaPSNR(packed, picture)! >= 30)
    }

    @Test func decoderWaitsForFirstKeyframe() throws {
        let encoder = VP8Encoder()
        let frames = try (0..<3).map { try Self.encode(encoder, Self.pattern($0)) }
        let decoder = try VP8Decoder()
        #expect(decoder.needsKeyframe)
        #expect(try decoder.decode(frames[1].data) == .needsKeyframe(.awaitingKeyframe))
        #expect(Self.picture(try decoder.decode(frames[0].data)) != nil)
        #expect(!decoder.needsKeyframe)
    }

    /// The transport reports a gap; the decoder refuses delta frames until the keyframe that
    /// the receiver then asks for, and the picture after it is right again.
    @Test func droppedFrameIsDetectedUntilKeyframe() throws {
        let encoder = VP8Encoder()
        let decoder = try VP8Decoder()
        let blind = try VP8Decoder()   // never told about the loss
        var results = [Int: VP8DecodeResult]()
        var blindPSNR = [Int: Double]()
        for i in 0..<20 {
            if i == 15 { encoder.requests.requestKeyframe() }   // the PLI reaches the sender
            let source = Self.pattern(i)
            let encoded = try Self.encode(encoder, source)
            if i == 10 { continue }                              // lost in the network
            results[i] = try decoder.decode(encoded.data, missingBefore: i == 11)
            if let p = Self.picture(try blind.decode(encoded.data)) { blindPSNR[i] = VideoQuality.lumaPSNR(source, p) }
        }
        #expect(results[11] == .needsKeyframe(.missingReference))
        for i in 12..<15 { #expect(results[i] == .needsKeyframe(.awaitingKeyframe), "frame \(i)") }
        let recovered = try #require(results[15].flatMap(Self.picture))
        #expect(TestPattern.decode(recovered, referenceNs: Self.baseNs + 15 * Self.frameNs)?.frameCounter == 15)
        #expect(!decoder.needsKeyframe)
        // Why it matters: decoding on without the lost frame shows a damaged picture.
        #expect(blindPSNR[11]! < blindPSNR[9]! - 3, "PSNR before loss \(blindPSNR[9]!), after \(blindPSNR[11]!)")
    }

    @Test func truncatedFrameAsksForKeyframe() throws {
        let encoder = VP8Encoder()
        let decoder = try VP8Decoder()
        let frames = try (0..<6).map { try Self.encode(encoder, Self.pattern($0)) }
        for f in frames[0..<3] { #expect(Self.picture(try decoder.decode(f.data)) != nil) }
        let damaged = Array(frames[3].data.prefix(frames[3].data.count / 2))
        guard case .needsKeyframe(let problem) = try decoder.decode(damaged) else {
            Issue.record("a half frame decoded as a good picture"); return
        }
        #expect(problem == .corrupted || { if case .invalidFrame = problem { true } else { false } }())
        #expect(try decoder.decode(frames[4].data) == .needsKeyframe(.awaitingKeyframe))
    }

    @Test func hugeDeclaredSizeIsRefused() throws {
        var bytes = VP8FrameHeaderTests.keyframe + [UInt8](repeating: 0, count: 64)
        bytes[6] = 0xFF; bytes[7] = 0x3F; bytes[8] = 0xFF; bytes[9] = 0x3F   // 16383x16383
        guard case .needsKeyframe(.invalidFrame(let why)) = try VP8Decoder().decode(bytes) else {
            Issue.record("a 16383x16383 keyframe was accepted"); return
        }
        #expect(why.contains("16383x16383"))
    }

    @Test func randomBytesNeverCrashTheDecoder() throws {
        let encoder = VP8Encoder()
        let decoder = try VP8Decoder()
        let good = try Self.encode(encoder, Self.pattern(0)).data
        var rng = SeededBytes(seed: 99)
        for n in 0..<300 {
            var bytes: [UInt8]
            switch n % 3 {
            case 0: bytes = rng.bytes(rng.below(2000))
            case 1: bytes = good; for _ in 0..<8 { bytes[10 + rng.below(bytes.count - 10)] = UInt8(rng.below(256)) }
            default: bytes = Array(good.prefix(rng.below(good.count)))
            }
            let result = try decoder.decode(bytes, missingBefore: rng.below(2) == 0)
            if let p = Self.picture(result) { #expect(p.width > 0 && p.y.count == p.width * p.height) }
        }
        // Still usable: a clean keyframe decodes.
        #expect(Self.picture(try decoder.decode(good)) != nil)
    }
}
