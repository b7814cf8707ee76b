import Codecs
import Media
import RTP
import Synchronization

/// Received Opus: jitter buffer (filled by the network thread) → playout thread pulling 20 ms at a time
/// (decode, FEC recovery, concealment) → audio sinks.
final class AudioReceivePipeline: ReceivePipeline, Sendable {
    static let kind = "audio"
    /// Playout period: one Opus frame.
    static let periodNs: UInt64 = 20_000_000

    let clockRate = OpusPayload.clockRate
    private let mid: String
    private let sinks: SinkSet<any AudioSink>
    private let buffer = Mutex(AudioJitterBuffer())
    private let thread = Mutex<MediaThread?>(nil)

    init(mid: String, sinks: SinkSet<any AudioSink>) {
        self.mid = mid
        self.sinks = sinks
    }

    func start(statistics: InboundStatistics) throws {
        let owned = HandOver(try OpusAudioDecoder(channels: 1))
        let sinks = self.sinks
        let started = MediaThread(name: "audio-playout-\(mid)") { [self] t in
            let decoder = owned.value
            var deadline = MonotonicClock.now()
            var playing = false
            while !t.isStopping {
                deadline += Self.periodNs
                MonotonicClock.sleep(untilNs: deadline)
                let now = MonotonicClock.now()
                if now > deadline + 5 * Self.periodNs { deadline = now }  // we were stalled: do not burst
                let pull = self.buffer.withLock { $0.pull(nowNs: now) }
                let frame: AudioFrame
                switch pull {
                case .packet(let p):
                    playing = true
                    frame = (try? decoder.decode(p, timestampNs: now)) ?? decoder.concealLoss(timestampNs: now)
                    statistics.update { $0.audioFramesPlayed += 1 }
                case .lostUseFEC(let next):
                    frame = decoder.recover(fromNext: next, timestampNs: now)
                    statistics.update { $0.audioFramesFromFec += 1 }
                case .lostConceal:
                    frame = decoder.concealLoss(timestampNs: now)
                    statistics.update { $0.audioFramesConcealed += 1 }
                case .empty:
                    // Once audio has played, a slot with nothing to play is concealed time (getStats counts
                    // it so); the speaker plays silence.
                    if playing { statistics.update { $0.audioFramesConcealed += 1 } }
                    continue
                }
                for sink in sinks.all { sink.accept(frame) }
            }
        }
        thread.withLock { $0 = started }
    }

    func stop() { thread.withLock { $0 }?.stopAndJoin() }

    // MARK: network thread

    func insert(_ packet: RtpPacket, nowNs: UInt64) -> [Bool] {
        buffer.withLock { $0.insert(packet, arrivalNs: nowNs) }
        return []
    }

    func poll(nowNs: UInt64) -> [Bool] { [] }
    var needsKeyframe: Bool { false }
    var firstWantedSequenceNumber: UInt16? { nil }
    func updateRtt(_ rttNs: UInt64) {}
    func restart() {}
}
