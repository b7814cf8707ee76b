import Codecs
import Media
import RTP
import SDP
import Synchronization
import WebRTCTransport

/// Outbound audio of one m-line: capture queue → Opus encode thread → network thread (RTP 48 kHz, protect, send).
final class AudioSender: @unchecked Sendable {
    /// Captured 20 ms frames waiting for the encoder (200 ms); older ones are dropped.
    static let queueCapacity = 10
    static let pollNs: UInt64 = 100_000_000

    let media: NegotiatedMedia
    let ssrc: UInt32
    let payloadType: UInt8
    private let source: AudioSource
    private let queue = BoundedQueue<AudioFrame>(capacity: queueCapacity)
    private let encoder: OpusAudioEncoder
    private let output: PacketOutput
    private let loop: NetworkLoop
    private var worker: MediaThread?
    private let muted = Atomic<Bool>(false)
    private let statsLock: Mutex<(stats: OutboundStreamStats, bits: RateWindow)>

    // Network thread only.
    private var sequenceNumber = UInt16.random(in: 0...0x7FFF)
    private var timestamp = UInt32.random(in: 0...UInt32.max)
    private var first = true
    private(set) var sendStats: SendStatistics

    init(media: NegotiatedMedia, ssrc: UInt32, codec: NegotiatedCodec, source: AudioSource, output: PacketOutput,
         loop: NetworkLoop) throws {
        self.media = media
        self.ssrc = ssrc
        self.payloadType = codec.payloadType
        self.source = source
        self.output = output
        self.loop = loop
        encoder = try OpusAudioEncoder(settings: OpusEncoderSettings(channels: source.channels))
        sendStats = SendStatistics(ssrc: ssrc, clockRate: OpusPayload.clockRate)
        statsLock = Mutex((OutboundStreamStats(mid: media.mid, kind: "audio", ssrc: ssrc), RateWindow()))
    }

    func start() throws {
        let queue = queue, channels = source.channels
        worker = MediaThread(name: "audio-encode-\(media.mid)") { [self] w in
            while !w.isStopping {
                guard var frame = queue.pop(timeoutNs: Self.pollNs) else { continue }
                let muted = self.muted.load(ordering: .relaxed)
                // Muted audio keeps the stream (and the peer's jitter buffer) alive with encoded silence.
                if muted { frame = AudioFrame.silence(channels: channels, timestampNs: frame.timestampNs) }
                guard let packet = try? encoder.encode(frame) else {
                    statsLock.withLock { $0.stats.framesDropped += 1 }
                    continue
                }
                statsLock.withLock { $0.stats.framesCaptured += 1; $0.stats.framesEncoded += 1 }
                loop.invoke { [self] in send(packet) }
            }
        }
        try source.start(into: queue)
    }

    func stop() {
        source.stop()
        queue.close()
        worker?.stopAndJoin()
        worker = nil
    }

    func setMuted(_ value: Bool) {
        muted.store(value, ordering: .relaxed)
        statsLock.withLock { $0.stats.muted = value }
    }

    /// Network thread.
    private func send(_ opus: [UInt8]) {
        let now = MonotonicClock.now()
        var p = RtpPacket(payloadType: payloadType, sequenceNumber: sequenceNumber, timestamp: timestamp, ssrc: ssrc,
                          marker: first, payload: OpusPayload.payload(for: opus))
        first = false
        sequenceNumber &+= 1
        timestamp &+= OpusPayload.timestampIncrement()
        media.addSendExtensions(to: &p, nowNs: now)
        guard let protected = output.send(p) else { return }
        sendStats.onSent(p, nowNs: now)
        statsLock.withLock {
            $0.stats.packetsSent += 1
            $0.stats.bytesSent += protected.count
            $0.bits.add(protected.count * 8, nowNs: now)
        }
    }

    func onReportBlock(_ block: ReportBlock, rttNs: UInt64?) {
        statsLock.withLock {
            $0.stats.remoteFractionLost = block.fractionLostRatio
            if let rttNs { $0.stats.roundTripTimeMs = Double(rttNs) / 1e6 }
        }
    }

    func stats() -> OutboundStreamStats {
        let now = MonotonicClock.now()
        return statsLock.withLock { s in
            var out = s.stats
            out.bitrate = s.bits.rate(nowNs: now)
            return out
        }
    }
}
