import Media

/// `--mic test`: the ToneSignal (440 Hz with a 1 kHz marker every second) at real-time pace.
public final class ToneSource: AudioSource, @unchecked Sendable {
    public let channels: Int
    private let loop = PacedLoop()
    private let index = MutexBox(0)

    public init(channels: Int = 1) { self.channels = channels }

    public var name: String { "test tone" }
    public var failure: CaptureError? { nil }
    /// Frames delivered so far.
    public var framesProduced: Int { index.value }

    public func start(into queue: BoundedQueue<AudioFrame>) throws {
        let channels = self.channels, index = self.index
        loop.start(name: "tone", periodNs: 20e6) { now in
            let i = index.withLock { i in defer { i += 1 }; return i }
            queue.push(ToneSignal.frame(index: i, channels: channels, timestampNs: now))
            return true
        }
    }

    public func stop() { loop.stop() }
}

/// `--mic FILE.wav`: plays a 16-bit PCM WAV file (any rate, resampled to 48 kHz), looping.
public final class WavFileSource: AudioSource, @unchecked Sendable {
    public let path: String
    public let channels: Int
    /// The whole file at 48 kHz, padded with silence to whole 20 ms frames.
    let samples: [Int16]
    private let loop = PacedLoop()

    public init(path: String) throws {
        self.path = path
        let audio: WavAudio
        do { audio = try WavAudio.read(path: path) } catch { throw CaptureError("\(error)") }
        guard !audio.samples.isEmpty else { throw CaptureError("\(path) holds no audio samples") }
        channels = audio.channels
        var s = Resampler(from: audio.sampleRate, to: AudioFrame.sampleRate, channels: audio.channels)
            .process(audio.samples)
        let frame = AudioFrame.samplesPerChannel * channels
        if s.count % frame != 0 { s += [Int16](repeating: 0, count: frame - s.count % frame) }
        samples = s
    }

    public var name: String { path }
    public var failure: CaptureError? { nil }

    public func start(into queue: BoundedQueue<AudioFrame>) throws {
        let samples = self.samples, channels = self.channels
        let size = AudioFrame.samplesPerChannel * channels
        var offset = 0
        loop.start(name: "wavsource", periodNs: 20e6) { now in
            queue.push(AudioFrame(channels: channels, samples: Array(samples[offset..<(offset + size)]), timestampNs: now))
            offset = (offset + size) % samples.count
            return true
        }
    }

    public func stop() { loop.stop() }
}

/// `--speaker FILE.wav`: records received audio as 48 kHz 16-bit WAV; the first frame fixes the
/// channel count (later frames are mixed to it).
public final class WavFileSink: AudioSink, @unchecked Sendable {
    public let path: String
    private var worker: SinkWorker<AudioFrame>!
    private let state = MutexBox<(writer: WavWriter?, error: CaptureError?)>((nil, nil))
    /// Frames (20 ms each) that may wait for the disk before the oldest is dropped.
    public static let defaultCapacity = 100

    public init(path: String, capacity: Int = WavFileSink.defaultCapacity) throws {
        self.path = path
        do { _ = try BinaryFile(path: path, mode: "wb") } catch { throw CaptureError("\(error)") }
        let state = self.state
        worker = SinkWorker(name: "wavsink", capacity: capacity, consume: { frame in
            state.withLock { s in
                guard s.error == nil else { return }
                do {
                    if s.writer == nil { s.writer = try WavWriter(path: path, channels: frame.channels) }
                    try s.writer!.write(ChannelMixer.convert(frame.samples, from: frame.channels, to: s.writer!.channels))
                } catch { s.error = CaptureError("\(error)") }
            }
        }, finish: { state.withLock { $0.writer?.close() } })
    }

    public var name: String { path }
    public var failure: CaptureError? { state.withLock { $0.error } }
    public var droppedCount: Int { worker.droppedCount }
    public func accept(_ frame: AudioFrame) { worker.accept(frame) }
    public func close() { worker.close() }
}
