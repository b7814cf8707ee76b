#if canImport(Glibc)
import Glibc
#endif
import Codecs
import Media
@testable import RTP
import Testing

/// The audio jitter buffer's pull results drive the real Opus decoder: FEC rebuilds a lost packet from the
/// next one, concealment fills the rest, and what comes out sounds like the lossless decode.
@Suite struct OpusPlayoutTests {
    static func tone(_ i: Int) -> AudioFrame {
        let samples = (0..<960).map { n -> Int16 in
            let t = Double(i * 960 + n) / 48_000
            return Int16(8000 * sin(2 * Double.pi * 440 * t))
        }
        return AudioFrame(channels: 1, samples: samples, timestampNs: 0)
    }

    static func correlation(_ a: [Int16], _ b: [Int16]) -> Double {
        let x = a.map(Double.init), y = b.map(Double.init)
        let dot = zip(x, y).reduce(0) { $0 + $1.0 * $1.1 }
        let nx = x.reduce(0) { $0 + $1 * $1 }.squareRoot(), ny = y.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return nx > 0 && ny > 0 ? dot / (nx * ny) : 0
    }

    @Test func fecAndConcealmentThroughTheJitterBuffer() throws {
        let encoder = try OpusAudioEncoder()
        let packets = try (0..<100).map { try encoder.encode(Self.tone($0)) }
        let reference = try OpusAudioDecoder()
        let clean = try packets.map { try reference.decode($0).samples }

        var config = AudioJitterBuffer.Configuration()
        config.initialDelayNs = 20 * rtpMs   // start at the steady-state delay so slots map 1:1 to pulls
        var jb = AudioJitterBuffer(configuration: config)
        let decoder = try OpusAudioDecoder()
        let lost: Set<Int> = [30, 60, 61]
        var out: [(kind: String, samples: [Int16])] = []
        var next = 0
        for k in 0..<110 {
            let now = 1_000 * rtpMs + UInt64(k) * 20 * rtpMs + 7 * rtpMs
            while next < 100, 1_000 * rtpMs + UInt64(next) * 20 * rtpMs <= now {
                if !lost.contains(next) {
                    jb.insert(timestamp: UInt32(next * 960), payload: packets[next],
                              arrivalNs: 1_000 * rtpMs + UInt64(next) * 20 * rtpMs)
                }
                next += 1
            }
            switch jb.pull(nowNs: now) {
            case .packet(let p): out.append(("packet", try decoder.decode(p).samples))
            case .lostUseFEC(let n): out.append(("fec", decoder.recover(fromNext: n).samples))
            case .lostConceal: out.append(("conceal", decoder.concealLoss().samples))
            case .empty: if !out.isEmpty { out.append(("empty", [])) }
            }
        }
        #expect(out.prefix(100).map(\.kind) == (0..<100).map { $0 == 30 || $0 == 61 ? "fec" : $0 == 60 ? "conceal" : "packet" })
        // FEC rebuilds the waveform of the lost slot itself (concealment could only extrapolate).
        let fec30 = Self.correlation(out[30].samples, clean[30])
        #expect(fec30 > 0.6 && AudioLevel.rms(out[30].samples) > 0.3 * AudioLevel.rms(clean[30]), "FEC slot correlation \(fec30)")
        // A few slots after each gap the output matches the lossless decode again.
        let healed = [40, 70].map { Self.correlation(out[$0].samples, clean[$0]) }
        #expect(healed.allSatisfy { $0 > 0.99 }, "correlation after the gaps \(healed)")
        let intact = Self.correlation(out[20].samples, clean[20])
        #expect(intact > 0.999, "lossless slot correlation \(intact)")
    }
}
