import Media

/// Streaming linear-interpolation resampler for interleaved Int16 PCM. It keeps its phase and
/// the previous input sample between calls, so chunks join without clicks. Linear is enough
/// for speech from a 16 kHz camera microphone; it is not meant for music mastering.
public final class Resampler {
    public let inputRate: Int, outputRate: Int, channels: Int
    // Position in units of 1/outputRate input samples, relative to `previous` (exact, no drift);
    // starts at the first real input sample.
    private var position: Int
    private var previous: [Int16]

    public init(from inputRate: Int, to outputRate: Int, channels: Int) {
        precondition(inputRate > 0 && outputRate > 0 && channels > 0)
        self.inputRate = inputRate; self.outputRate = outputRate; self.channels = channels
        position = outputRate
        previous = [Int16](repeating: 0, count: channels)
    }

    /// Resamples one chunk (a whole number of sample frames).
    public func process(_ input: [Int16]) -> [Int16] {
        if inputRate == outputRate { return input }
        let frames = input.count / channels
        guard frames > 0 else { return [] }
        var out: [Int16] = []
        out.reserveCapacity((frames * outputRate / inputRate + 2) * channels)
        // Virtual stream: index 0 is `previous`, index k is input frame k-1.
        func sample(_ k: Int, _ c: Int) -> Double { Double(k == 0 ? previous[c] : input[(k - 1) * channels + c]) }
        let end = frames * outputRate
        while position <= end {
            let k = position / outputRate, rem = position % outputRate
            let frac = Double(rem) / Double(outputRate)
            for c in 0..<channels {
                let a = sample(k, c)
                let v = rem == 0 ? a : a + (sample(k + 1, c) - a) * frac
                out.append(Int16(max(-32768, min(32767, v.rounded()))))
            }
            position += inputRate
        }
        position -= end
        previous = Array(input[((frames - 1) * channels)..<(frames * channels)])
        return out
    }
}

/// Cuts a stream of interleaved samples into 20 ms AudioFrames.
public struct AudioFramer {
    public let channels: Int
    private var pending: [Int16] = []

    public init(channels: Int) { self.channels = channels }

    /// Adds samples and returns every complete frame, stamped with `timestampNs`.
    public mutating func append(_ samples: [Int16], timestampNs: UInt64) -> [AudioFrame] {
        pending += samples
        let size = AudioFrame.samplesPerChannel * channels
        var frames: [AudioFrame] = []
        var start = 0
        while pending.count - start >= size {
            frames.append(AudioFrame(channels: channels, samples: Array(pending[start..<(start + size)]),
                                     timestampNs: timestampNs))
            start += size
        }
        pending.removeFirst(start)
        return frames
    }
}

/// Mono/stereo conversion for interleaved Int16 samples.
public enum ChannelMixer {
    public static func convert(_ samples: [Int16], from: Int, to: Int) -> [Int16] {
        if from == to { return samples }
        if from == 1 && to == 2 { return samples.flatMap { [$0, $0] } }
        if from == 2 && to == 1 {
            return stride(from: 0, to: samples.count - 1, by: 2).map { (i: Int) -> Int16 in
                let sum: Int = Int(samples[i]) + Int(samples[i + 1])
                return Int16(sum / 2)
            }
        }
        // More channels than two (some USB devices): keep the first one or two.
        let frames = samples.count / from
        return (0..<frames).flatMap { f in (0..<to).map { samples[f * from + min($0, from - 1)] } }
    }
}
