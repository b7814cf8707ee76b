#if canImport(Glibc)
import Glibc
#endif
import Media

/// A 48 kHz sine tone in 20 ms frames, continuous in phase across frames.
struct ToneSource {
    var frequencies: [Double]   // one per channel
    var amplitude = 8000.0
    var sampleIndex = 0

    init(_ frequencies: Double...) { self.frequencies = frequencies }

    mutating func next(timestampNs: UInt64 = 0) -> AudioFrame {
        let ch = frequencies.count
        var samples = [Int16](repeating: 0, count: AudioFrame.samplesPerChannel * ch)
        for i in 0..<AudioFrame.samplesPerChannel {
            let t = Double(sampleIndex + i) / Double(AudioFrame.sampleRate)
            for c in 0..<ch { samples[i * ch + c] = Int16(amplitude * sin(2 * Double.pi * frequencies[c] * t)) }
        }
        sampleIndex += AudioFrame.samplesPerChannel
        return AudioFrame(channels: ch, samples: samples, timestampNs: timestampNs)
    }
}

/// Channel `channel` of interleaved frames as one signal.
func channelSamples(_ frames: [AudioFrame], channel: Int = 0) -> [Double] {
    frames.flatMap { f in stride(from: channel, to: f.samples.count, by: f.channels).map { Double(f.samples[$0]) } }
}

/// Power of `signal` at `frequency` (Goertzel), normalised so a sine of amplitude A gives about A²/4·N²/N².
func tonePower(_ signal: [Double], frequency: Double) -> Double {
    let w = 2 * Double.pi * frequency / Double(AudioFrame.sampleRate)
    let coeff = 2 * cos(w)
    var s1 = 0.0, s2 = 0.0
    for x in signal { let s0 = x + coeff * s1 - s2; s2 = s1; s1 = s0 }
    let power = s1 * s1 + s2 * s2 - coeff * s1 * s2
    return power / Double(signal.count * signal.count)
}

/// Mean square of a signal.
func meanSquare(_ signal: [Double]) -> Double {
    signal.isEmpty ? 0 : signal.reduce(0) { $0 + $1 * $1 } / Double(signal.count)
}

/// Which of `candidates` carries the most power in `signal`.
func dominantFrequency(_ signal: [Double], among candidates: [Double]) -> Double {
    candidates.max { tonePower(signal, frequency: $0) < tonePower(signal, frequency: $1) }!
}

/// Share of the signal's energy that sits at `frequency` (1 = a pure tone there).
func toneShare(_ signal: [Double], frequency: Double) -> Double {
    // A sine of amplitude A has mean square A²/2 and Goertzel power A²/4.
    2 * tonePower(signal, frequency: frequency) / max(meanSquare(signal), 1e-9)
}

/// Deterministic pseudo-random bytes (xorshift64*), so fuzz cases repeat exactly.
struct SeededBytes {
    var state: UInt64
    init(seed: UInt64) { state = seed | 1 }
    mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 2685821657736338717
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next() >> 32) } }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
