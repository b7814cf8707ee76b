import Media

/// `--mic <ALSA PCM>`: captures from an ALSA device in 20 ms periods, resampling to 48 kHz when
/// the device runs at another rate (many camera microphones only do 16 kHz) and mixing to the
/// requested channel count.
public final class AlsaCaptureSource: AudioSource, @unchecked Sendable {
    public let device: String
    public let channels: Int
    private let pcm: AlsaPCM
    private var thread: MediaThread?
    private let error = MutexBox<CaptureError?>(nil)

    /// How far captured audio may run ahead of the clock before the source waits (a real
    /// device never gets further ahead than its buffer).
    static let maxAheadNs: Int64 = 200_000_000

    /// Opens `device` now so a missing or busy device is reported before the call starts.
    /// `deviceRate` is the rate asked of the device (48 kHz by default; what it grants is used).
    public init(device: String, channels: Int = 1, deviceRate: Int = AudioFrame.sampleRate) throws {
        self.device = device
        self.channels = channels
        pcm = try AlsaPCM(device: device, direction: .capture, channels: channels, rate: deviceRate)
    }

    public var name: String { device }
    public var failure: CaptureError? { error.value }
    /// The rate the device actually runs at.
    public var deviceRate: Int { pcm.rate }
    /// Overruns recovered so far.
    public var xrunCount: Int { pcm.xruns }

    deinit { stop() }

    public func start(into queue: BoundedQueue<AudioFrame>) throws {
        stop()
        let pcm = self.pcm, channels = self.channels, error = self.error
        thread = MediaThread(name: "alsacapture") { t in
            let resampler = Resampler(from: pcm.rate, to: AudioFrame.sampleRate, channels: channels)
            var framer = AudioFramer(channels: channels)
            let start = MonotonicClock.now()
            var delivered: UInt64 = 0
            while !t.isStopping {
                // A device that runs ahead of the clock (ALSA `null` returns data at once) is held
                // to real time, so it neither spins a core nor floods the queue.
                let aheadNs = Int64(delivered * 1_000_000_000 / UInt64(AudioFrame.sampleRate))
                    - Int64(MonotonicClock.now() - start)
                if aheadNs > AlsaCaptureSource.maxAheadNs {
                    _ = t.sleep(untilNs: MonotonicClock.now() + UInt64(aheadNs - AlsaCaptureSource.maxAheadNs / 2))
                    continue
                }
                do {
                    let raw = try pcm.read()
                    if raw.isEmpty { continue }
                    // The newest sample was captured about now; the frame began a period earlier.
                    let now = MonotonicClock.now()
                    let duration = UInt64(raw.count / pcm.channels) * 1_000_000_000 / UInt64(pcm.rate)
                    let mixed = ChannelMixer.convert(raw, from: pcm.channels, to: channels)
                    for f in framer.append(resampler.process(mixed), timestampNs: now - min(now, duration)) {
                        queue.push(f)
                        delivered += UInt64(AudioFrame.samplesPerChannel)
                    }
                } catch let e as CaptureError {
                    error.value = e
                    break
                } catch {}
            }
        }
    }

    public func stop() {
        thread?.stopAndJoin()
        thread = nil
    }
}

/// `--speaker <ALSA PCM>`: plays received 48 kHz frames, resampling and mixing to what the device
/// accepts. Frames wait in a short queue; when the device falls behind the oldest are dropped
/// (late audio is worse than a skip). Underruns (no audio arriving) are recovered silently.
public final class AlsaPlaybackSink: AudioSink, @unchecked Sendable {
    public let device: String
    private let pcm: AlsaPCM
    private var worker: SinkWorker<AudioFrame>!
    private let error = MutexBox<CaptureError?>(nil)
    /// 200 ms of pending audio at most.
    public static let defaultCapacity = 10
    /// How long close waits for a stalled device before dropping what is pending.
    static let closeTimeoutNs: UInt64 = 1_000_000_000
    private let closingAt = MutexBox<UInt64?>(nil)

    public init(device: String, channels: Int = 1, deviceRate: Int = AudioFrame.sampleRate,
                capacity: Int = AlsaPlaybackSink.defaultCapacity) throws {
        self.device = device
        let pcm = try AlsaPCM(device: device, direction: .playback, channels: channels, rate: deviceRate)
        self.pcm = pcm
        let error = self.error, closingAt = self.closingAt
        // Pending audio is played out on close, but a stalled device is given up on.
        let abandoned = { closingAt.value.map { MonotonicClock.now() - $0 > AlsaPlaybackSink.closeTimeoutNs } ?? false }
        var resampler: Resampler?
        worker = SinkWorker(name: "alsaplayback", capacity: capacity, consume: { frame in
            guard error.value == nil else { return }
            if resampler == nil || resampler!.channels != pcm.channels {
                resampler = Resampler(from: AudioFrame.sampleRate, to: pcm.rate, channels: pcm.channels)
            }
            let mixed = ChannelMixer.convert(frame.samples, from: frame.channels, to: pcm.channels)
            do { try pcm.write(resampler!.process(mixed), shouldStop: abandoned) } catch let e as CaptureError {
                error.value = e
            } catch {}
        }, finish: { if abandoned() { pcm.drop() } else { pcm.drain() } })
    }

    public var name: String { device }
    public var failure: CaptureError? { error.value }
    /// The rate the device actually runs at.
    public var deviceRate: Int { pcm.rate }
    public var droppedCount: Int { worker.droppedCount }
    /// Xruns recovered so far.
    public var xruns: Int { pcm.xruns }
    public func accept(_ frame: AudioFrame) { worker.accept(frame) }
    public func close() {
        closingAt.withLock { if $0 == nil { $0 = MonotonicClock.now() } }
        worker.close()
    }
}
