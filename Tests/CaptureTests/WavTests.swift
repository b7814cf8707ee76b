import Testing
@testable import Capture

func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff)] }
func le32(_ v: Int) -> [UInt8] { le16(v & 0xffff) + le16((v >> 16) & 0xffff) }

/// A WAV file built by hand, with optional extra chunks and a chosen format tag.
func wavBytes(channels: Int, rate: Int, bits: Int = 16, tag: Int = 1, samples: [Int16],
              extraChunk: Bool = false, dataSize: Int? = nil) -> [UInt8] {
    var fmt = le16(tag) + le16(channels) + le32(rate) + le32(rate * channels * bits / 8)
        + le16(channels * bits / 8) + le16(bits)
    if tag == 0xFFFE { fmt += le16(22) + le16(bits) + le32(3) + le16(1) + [UInt8](repeating: 0, count: 14) }
    let data = samples.flatMap { le16(Int(UInt16(bitPattern: $0))) }
    var body = Array("WAVE".utf8)
    if extraChunk { body += Array("LIST".utf8) + le32(5) + [1, 2, 3, 4, 5, 0] }  // odd size, padded
    body += Array("fmt ".utf8) + le32(fmt.count) + fmt
    body += Array("data".utf8) + le32(dataSize ?? data.count) + data
    return Array("RIFF".utf8) + le32(body.count) + body
}

@Suite struct WavTests {
    @Test func writerAndReaderRoundTrip() throws {
        let path = tempPath("rt.wav")
        let samples: [Int16] = [0, 1, -1, 32767, -32768, 1234, -4321, 7]
        let w = try WavWriter(path: path, channels: 2, sampleRate: 44_100)
        try w.write(Array(samples[0..<4]))
        try w.write(Array(samples[4...]))
        w.close()
        #expect(try WavAudio.read(path: path) == WavAudio(sampleRate: 44_100, channels: 2, samples: samples))
        // The header is the canonical 44 bytes.
        #expect(readBytes(path).count == 44 + samples.count * 2)
    }

    @Test func parsesExtensibleFormatAndSkipsOtherChunks() throws {
        let samples: [Int16] = [5, -5, 300]
        let bytes = wavBytes(channels: 1, rate: 16_000, tag: 0xFFFE, samples: samples, extraChunk: true)
        #expect(try WavAudio.parse(bytes) == WavAudio(sampleRate: 16_000, channels: 1, samples: samples))
    }

    @Test func keepsWholeFramesOfACutShortFile() throws {
        // Declared 100 bytes of data but only 5 present (a crash mid-write): keep 2 stereo... mono frames.
        var bytes = wavBytes(channels: 1, rate: 48_000, samples: [1, 2, 3], dataSize: 100)
        bytes.removeLast(1)
        #expect(try WavAudio.parse(bytes).samples == [1, 2])
        let streaming = wavBytes(channels: 1, rate: 48_000, samples: [9, 8], dataSize: 0xFFFF_FFFF)
        #expect(try WavAudio.parse(streaming).samples == [9, 8])
    }

    @Test(arguments: [
        (wavBytes(channels: 1, rate: 48_000, bits: 8, samples: []), "not 16-bit PCM"),
        (wavBytes(channels: 1, rate: 48_000, tag: 3, samples: []), "not 16-bit PCM"),
        (wavBytes(channels: 6, rate: 48_000, samples: []), "6 channels"),
        (Array("RIFF\u{0}\u{0}\u{0}\u{0}AVI LIST".utf8), "not a WAV file"),
        ([UInt8](), "not a WAV file"),
        (Array("RIFF".utf8) + le32(4) + Array("WAVE".utf8), "no audio data"),
    ])
    func rejectsUnsupportedFilesWithClearErrors(bytes: [UInt8], mentions: String) {
        #expect { try WavAudio.parse(bytes, name: "x.wav") } throws: {
            "\($0)".contains(mentions) && "\($0)".contains("x.wav")
        }
    }

    @Test func garbageNeverCrashesTheParser() {
        var seed: UInt64 = 42
        for n in 0..<300 {
            var bytes = wavBytes(channels: 2, rate: 48_000, samples: [1, 2, 3, 4])
            for _ in 0..<(n % 7 + 1) {
                seed = seed &* 6364136223846793005 &+ 1
                bytes[Int(seed >> 33) % bytes.count] = UInt8(truncatingIfNeeded: seed >> 20)
            }
            bytes = Array(bytes.prefix(n % bytes.count + 1))
            _ = try? WavAudio.parse(bytes)
        }
    }

    @Test func missingFileErrorNamesIt() {
        #expect { try WavAudio.read(path: "/nonexistent/in.wav") } throws: { "\($0)".contains("/nonexistent/in.wav") }
    }
}
