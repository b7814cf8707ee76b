#if canImport(Glibc)
import Glibc
#endif
import Media

/// The `--mic test` signal: a continuous 440 Hz sine at -12 dBFS, except that the first 20 ms of
/// every second (sample n with n % 48000 < 960, i.e. every 50th frame starting with frame 0) is a
/// 1 kHz sine at the same level: a marker. Markers survive Opus, resampling and mixing, so the
/// receiver can measure audio latency (marker arrival vs. the marker frame's capture timestamp)
/// and loss (markers 48000 samples apart, or missing).
public enum ToneSignal {
    public static let toneHz = 440.0
    public static let markerHz = 1000.0
    /// -12 dBFS peak.
    public static let amplitude = 32767.0 * 0.25119
    /// Samples between marker onsets (1 s at 48 kHz).
    public static let markerPeriod = 48_000
    /// Marker length: one 20 ms frame.
    public static let markerLength = AudioFrame.samplesPerChannel

    /// Sample `n` (per channel, counted from the start of the stream).
    public static func sample(_ n: Int) -> Int16 {
        let hz = n % markerPeriod < markerLength ? markerHz : toneHz
        return Int16((amplitude * sin(2 * Double.pi * hz * Double(n) / 48_000)).rounded())
    }

    /// Frame `index` of the signal (960 samples per channel, same on every channel).
    public static func frame(index: Int, channels: Int, timestampNs: UInt64) -> AudioFrame {
        let base = index * AudioFrame.samplesPerChannel
        var samples = [Int16](repeating: 0, count: AudioFrame.samplesPerChannel * channels)
        for i in 0..<AudioFrame.samplesPerChannel {
            let s = sample(base + i)
            for c in 0..<channels { samples[i * channels + c] = s }
        }
        return AudioFrame(channels: channels, samples: samples, timestampNs: timestampNs)
    }

    /// Analysis window for the detector (5 ms: 200 Hz resolution separates 440 Hz from 1 kHz).
    static let window = 240
    static let hop = 48

    /// Onsets (sample index per channel, 48 kHz) of markers found in interleaved `samples`,
    /// accurate to about a millisecond. Uses the first channel.
    public static func findMarkers(in samples: [Int16], channels: Int = 1) -> [Int] {
        let mono = stride(from: 0, to: samples.count - channels + 1, by: channels).map { Double(samples[$0]) }
        guard mono.count >= window else { return [] }
        var onsets: [Int] = []
        var inMarker = false
        var start = 0
        while start + window <= mono.count {
            let slice = mono[start..<(start + window)]
            let marker = goertzel(slice, hz: markerHz), tone = goertzel(slice, hz: toneHz)
            let energy = slice.reduce(0) { $0 + $1 * $1 }
            // Marker: most of the window's energy at 1 kHz, and not silence.
            let isMarker = marker > 4 * tone && marker > 0.25 * energy * Double(window) / 2
                && energy > Double(window) * 100 * 100
            if isMarker && !inMarker {
                // The detector fires once the burst fills about half the window.
                onsets.append(max(0, start + window / 3))
            }
            inMarker = isMarker
            start += hop
        }
        return onsets
    }

    /// Power at `hz` (Goertzel), scaled like |DFT bin|^2.
    static func goertzel(_ x: ArraySlice<Double>, hz: Double) -> Double {
        let w = 2 * Double.pi * hz / 48_000, coeff = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        for v in x {
            let s0 = v + coeff * s1 - s2
            s2 = s1; s1 = s0
        }
        return s1 * s1 + s2 * s2 - coeff * s1 * s2
    }
}
