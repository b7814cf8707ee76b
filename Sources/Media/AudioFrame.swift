/// 20 ms of 48 kHz signed 16-bit PCM, interleaved when stereo.
public struct AudioFrame: Sendable, Equatable {
    public static let sampleRate = 48_000
    public static let samplesPerChannel = 960   // 20 ms at 48 kHz

    public var channels: Int
    public var samples: [Int16]
    /// Monotonic capture time in nanoseconds (`MonotonicClock.now()`).
    public var timestampNs: UInt64

    public init(channels: Int, samples: [Int16], timestampNs: UInt64) {
        precondition(channels == 1 || channels == 2, "mono or stereo only")
        precondition(samples.count == AudioFrame.samplesPerChannel * channels,
                     "an audio frame holds exactly 20 ms")
        self.channels = channels
        self.samples = samples
        self.timestampNs = timestampNs
    }

    public static func silence(channels: Int = 1, timestampNs: UInt64 = 0) -> AudioFrame {
        AudioFrame(channels: channels,
                   samples: [Int16](repeating: 0, count: samplesPerChannel * channels),
                   timestampNs: timestampNs)
    }
}
