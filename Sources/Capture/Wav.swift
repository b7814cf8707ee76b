/// 16-bit PCM audio read from a RIFF/WAVE file, samples interleaved.
public struct WavAudio: Sendable, Equatable {
    public var sampleRate: Int
    public var channels: Int
    public var samples: [Int16]

    public init(sampleRate: Int, channels: Int, samples: [Int16]) {
        self.sampleRate = sampleRate; self.channels = channels; self.samples = samples
    }

    /// Parses a whole WAV file; `name` appears in errors. Tolerates a data size larger than the
    /// file (a recording cut short by a crash) by keeping the whole sample frames present.
    public static func parse(_ bytes: [UInt8], name: String = "WAV data") throws -> WavAudio {
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        let convert = "convert it with `ffmpeg -i INPUT -ac 1 -ar 48000 -c:a pcm_s16le OUTPUT.wav`"
        guard bytes.count >= 12, bytes[0..<4].elementsEqual("RIFF".utf8), bytes[8..<12].elementsEqual("WAVE".utf8)
        else { throw MediaFileError("\(name) is not a WAV file (no RIFF/WAVE signature); \(convert)") }
        var offset = 12
        var format: (tag: Int, channels: Int, rate: Int, bits: Int)?
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<(offset + 4)], as: UTF8.self)
            let size = u32(offset + 4)
            let body = offset + 8
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw MediaFileError("\(name) has a truncated fmt chunk") }
                var tag = u16(body)
                if tag == 0xFFFE && size >= 26 && body + 26 <= bytes.count { tag = u16(body + 24) }  // extensible
                format = (tag, u16(body + 2), u32(body + 4), u16(body + 14))
            } else if id == "data" {
                guard let f = format else { throw MediaFileError("\(name) has audio data before its format chunk") }
                guard f.tag == 1, f.bits == 16 else {
                    throw MediaFileError("\(name) is not 16-bit PCM (format \(f.tag), \(f.bits) bits); \(convert)")
                }
                guard f.channels == 1 || f.channels == 2 else {
                    throw MediaFileError("\(name) has \(f.channels) channels; only mono and stereo are supported; \(convert)")
                }
                guard f.rate >= 4000 && f.rate <= 384_000 else {
                    throw MediaFileError("\(name) has an unusable sample rate \(f.rate) Hz; \(convert)")
                }
                // 0 and 0xFFFFFFFF are what streaming writers leave: take everything to the end.
                let declared = (size == 0 || size == 0xFFFF_FFFF) ? Int.max : size
                let available = min(declared, bytes.count - body)
                let frameBytes = 2 * f.channels
                let count = available / frameBytes * f.channels
                var samples = [Int16](repeating: 0, count: count)
                for i in 0..<count { samples[i] = Int16(bitPattern: UInt16(u16(body + 2 * i))) }
                return WavAudio(sampleRate: f.rate, channels: f.channels, samples: samples)
            }
            offset = body + size + (size & 1)
        }
        throw MediaFileError("\(name) has no audio data chunk; \(convert)")
    }

    /// Reads and parses the WAV file at `path`.
    public static func read(path: String) throws -> WavAudio {
        let file = try BinaryFile(path: path, mode: "rb")
        return try parse(file.read(file.size), name: path)
    }
}

/// Writes 16-bit PCM WAV. The header's sizes are rewritten after every write, so a recording
/// stays readable up to its last write if the program dies.
public final class WavWriter {
    public let path: String
    public let channels: Int
    public let sampleRate: Int
    private let file: BinaryFile
    private var dataBytes = 0

    public init(path: String, channels: Int, sampleRate: Int = 48_000) throws {
        self.path = path; self.channels = channels; self.sampleRate = sampleRate
        file = try BinaryFile(path: path, mode: "w+b")
        try file.write(header(dataBytes: 0))
    }

    private func header(dataBytes: Int) -> [UInt8] {
        func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        func le16(_ v: Int) -> [UInt8] { (0..<2).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        return Array("RIFF".utf8) + le32(36 + dataBytes) + Array("WAVEfmt ".utf8) + le32(16) + le16(1)
            + le16(channels) + le32(sampleRate) + le32(sampleRate * channels * 2) + le16(channels * 2) + le16(16)
            + Array("data".utf8) + le32(dataBytes)
    }

    /// Appends interleaved samples.
    public func write(_ samples: [Int16]) throws {
        var bytes = [UInt8](repeating: 0, count: samples.count * 2)
        for (i, s) in samples.enumerated() {
            let u = UInt16(bitPattern: s)
            bytes[2 * i] = UInt8(u & 0xff); bytes[2 * i + 1] = UInt8(u >> 8)
        }
        try file.write(bytes)
        dataBytes += bytes.count
        file.seek(to: 0)
        try file.write(header(dataBytes: dataBytes))
        file.seekToEnd()
        file.flush()
    }

    public func close() {
        file.flush()
        file.close()
    }
}
