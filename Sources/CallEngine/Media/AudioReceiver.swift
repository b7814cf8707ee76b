import Codecs
import Media
import RTP
import SDP
import Synchronization

/// Inbound audio of one m-line: network thread → jitter buffer (locked) → playout thread pulling 20 ms at a time
/// (decode, FEC recovery, PLC) → audio sinks.
final class AudioReceiver: @unchecked Sendable {
    /// Playout period: one Opus frame.
    static let periodNs: UInt64 = 20_000_000

    let media: NegotiatedMedia
    let payloadType: UInt8
    private let buffer = Mutex(AudioJitterBuffer())
    private let sinks: SinkSet<any AudioSink>
    private var worker: MediaThread?
    private let statsLock: Mutex<(stats: InboundStreamStats, bits: RateWindow)>

    // Network thread only.
    private(set) var mediaSsrc: UInt32?
    private var receiveStats: ReceiveStatistics?

    init(media: NegotiatedMedia, codec: NegotiatedCodec, sinks: SinkSet<any AudioSink>) {
        self.media = media
        payloadType = codec.payloadType
        self.sinks = sinks
        mediaSsrc = media.remoteSsrc
        statsLock = Mutex((InboundStreamStats(mid: media.mid, kind: "audio"), RateWindow()))
    }

    func start() throws {
        let owned = HandOver(try OpusAudioDecoder(channels: 1))
        worker = MediaThread(name: "audio-playout-\(media.mid)") { [self] w in
            let decoder = owned.value
            var deadline = MonotonicClock.now()
            while !w.isStopping {
                deadline += Self.periodNs
                MonotonicClock.sleep(untilNs: deadline)
                let now = MonotonicClock.now()
                if now > deadline + 5 * Self.periodNs { deadline = now }  // we were stalled: do not burst
                let pull = buffer.withLock { $0.pull(nowNs: now) }
                let frame: AudioFrame
                switch pull {
                case .packet(let p):
                    frame = (try? decoder.decode(p, timestampNs: now)) ?? decoder.concealLoss(timestampNs: now)
                    statsLock.withLock { $0.stats.audioFramesPlayed += 1 }
                case .lostUseFEC(let next):
                    frame = decoder.recover(fromNext: next, timestampNs: now)
                    statsLock.withLock { $0.stats.audioFramesFromFec += 1 }
                case .lostConceal:
                    frame = decoder.concealLoss(timestampNs: now)
                    statsLock.withLock { $0.stats.audioFramesConcealed += 1 }
                case .empty:
                    continue
                }
                for sink in sinks.all { sink.accept(frame) }
            }
        }
    }

    func stop() {
        worker?.stopAndJoin()
        worker = nil
    }

    // MARK: network thread

    func receive(_ packet: RtpPacket, size: Int, nowNs: UInt64) {
        guard packet.payloadType == payloadType else { return }
        if mediaSsrc != packet.ssrc || receiveStats == nil {
            mediaSsrc = packet.ssrc
            receiveStats = ReceiveStatistics(ssrc: packet.ssrc, clockRate: OpusPayload.clockRate)
        }
        receiveStats?.onPacket(sequenceNumber: packet.sequenceNumber, rtpTimestamp: packet.timestamp,
                               payloadBytes: packet.payload.count, arrivalNs: nowNs)
        buffer.withLock { $0.insert(packet, arrivalNs: nowNs) }
        let rs = receiveStats
        statsLock.withLock {
            $0.stats.ssrc = packet.ssrc
            $0.stats.bytesReceived += size
            $0.stats.packetsReceived = Int(rs?.packetsReceived ?? 0)
            $0.stats.packetsLost = Int(max(0, rs?.cumulativeLost ?? 0))
            $0.stats.jitterMs = (rs?.jitterNs ?? 0) / 1e6
            $0.bits.add(size * 8, nowNs: nowNs)
        }
    }

    func onSenderReport(_ sr: SenderReport, nowNs: UInt64) {
        guard sr.ssrc == mediaSsrc else { return }
        receiveStats?.onSenderReport(sr, arrivalNs: nowNs)
    }

    func makeReportBlock(nowNs: UInt64) -> ReportBlock? { receiveStats?.makeReportBlock(nowNs: nowNs) }

    /// Any thread.
    func stats(nowNs: UInt64) -> InboundStreamStats {
        statsLock.withLock { s in
            var out = s.stats
            out.bitrate = s.bits.rate(nowNs: nowNs)
            return out
        }
    }
}
