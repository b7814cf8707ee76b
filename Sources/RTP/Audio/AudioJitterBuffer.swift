/// What the playout thread should do for the next 20 ms.
package enum AudioPull: Sendable, Equatable {
    /// Decode this Opus packet.
    case packet([UInt8])
    /// This slot's packet is lost but the next one is here: decode its in-band FEC
    /// (`OpusAudioDecoder.recover(fromNext:)`); the next pull returns that packet normally.
    case lostUseFEC(nextPacket: [UInt8])
    /// Nothing to decode: run Opus packet loss concealment (`concealLoss()`).
    case lostConceal
    /// Not playing (not started, or the stream stopped): play silence.
    case empty
}

/// Adaptive audio jitter buffer for 20 ms Opus packets. Playout slot `ts` is due at
/// `minTransit + ts + targetDelay`, where `minTransit` is the fastest recent network transit and the target
/// delay is the peak transit excess seen over the last `delayWindowNs` plus `marginNs` (peak hold: one late
/// burst raises the delay at once, which then decays when the window forgets it), clamped to
/// `minDelayNs...maxDelayNs`. The playout thread calls `pull` every 20 ms; when playout runs more than
/// `earlyToleranceNs` ahead of its due time a concealment frame is inserted (delay grows), when it runs
/// more than `lateToleranceNs` behind a frame is skipped (delay shrinks, at most once per
/// `compressSpacingNs`). The band is wider than one frame so the two never fight. Packets arriving after
/// their slot played are dropped and counted.
package struct AudioJitterBuffer: Sendable {
    /// Tunables, each with its default.
    package struct Configuration: Sendable, Equatable {
        /// Smallest playout delay above the fastest transit.
        package var minDelayNs: UInt64 = 20_000_000
        /// Largest playout delay; spikes beyond it are lost rather than waited for.
        package var maxDelayNs: UInt64 = 200_000_000
        /// Delay used until `minSamples` arrivals have been observed.
        package var initialDelayNs: UInt64 = 40_000_000
        /// Arrivals observed before the measured delay replaces the initial one.
        package var minSamples = 25
        /// How long a delay spike keeps the target up.
        package var delayWindowNs: UInt64 = 5_000_000_000
        /// Added to the measured peak delay so packets at the peak still arrive before their pull.
        package var marginNs: UInt64 = 10_000_000
        /// How far ahead of its due time a slot may play before a concealment frame holds playout back.
        package var earlyToleranceNs: UInt64 = 5_000_000
        /// How far behind its due time a slot may play before a frame is skipped (must exceed early + 20 ms).
        package var lateToleranceNs: UInt64 = 25_000_000
        /// Least time between two skipped frames, so shrinking the delay stays inaudible-ish.
        package var compressSpacingNs: UInt64 = 100_000_000
        /// Concealment kept up while no packets arrive, before reporting `.empty` and restarting.
        package var maxConcealNs: UInt64 = 300_000_000
        /// Samples per packet at 48 kHz (20 ms).
        package var frameSamples: Int64 = Int64(OpusPayload.samplesPer20ms)
        /// Packets held at most.
        package var maxPackets = 100
        package init() {}
    }

    /// Tunables in force.
    package var configuration: Configuration
    /// Current target playout delay.
    package private(set) var targetDelayNs: UInt64
    /// Packets dropped because their slot had already played.
    package private(set) var latePackets = 0
    /// Packets dropped because the same timestamp was already buffered.
    package private(set) var duplicatePackets = 0
    /// Slots with no packet (FEC or concealment used).
    package private(set) var lostSlots = 0
    /// Of those, slots recovered through FEC.
    package private(set) var fecSlots = 0
    /// Concealment frames inserted to grow the delay.
    package private(set) var stretchedFrames = 0
    /// Packets skipped to shrink the delay.
    package private(set) var skippedFrames = 0

    private var unwrapper = RtpTimestampUnwrapper()
    private var packets: [Int64: [UInt8]] = [:]
    private var nextTs: Int64?
    private var silentSlots = 0
    private var lastCompressNs: UInt64?
    /// Network transit (arrival − media time) of recent packets.
    private var transits = RtpSlidingExtremes()
    private var samplesSeen = 0
    private var minTransitNs: Double = 0

    package init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        targetDelayNs = configuration.initialDelayNs
    }

    /// Packets waiting to be played.
    package var bufferedPackets: Int { packets.count }

    private var frameNs: Double { Double(configuration.frameSamples) * 1e9 / Double(OpusPayload.clockRate) }
    private func tsNs(_ ts: Int64) -> Double { Double(ts) * 1e9 / Double(OpusPayload.clockRate) }

    /// Adds a received Opus RTP packet.
    package mutating func insert(_ packet: RtpPacket, arrivalNs: UInt64) {
        insert(timestamp: packet.timestamp, payload: packet.payload, arrivalNs: arrivalNs)
    }

    /// Adds a received Opus payload with its RTP timestamp.
    package mutating func insert(timestamp: UInt32, payload: [UInt8], arrivalNs: UInt64) {
        let ts = unwrapper.unwrap(timestamp)
        let reference = nextTs ?? packets.keys.min()
        if let reference, abs(ts - reference) > Int64(configuration.maxPackets) * configuration.frameSamples {
            // A jump far from the playout point: the sender restarted its timeline; start over.
            packets.removeAll(); nextTs = nil
            transits = RtpSlidingExtremes(); samplesSeen = 0
        }
        observe(ts: ts, arrivalNs: arrivalNs)
        if let next = nextTs, ts < next { latePackets += 1; return }
        if packets[ts] != nil { duplicatePackets += 1; return }
        packets[ts] = payload
        if packets.count > configuration.maxPackets, let oldest = packets.keys.min() {
            packets.removeValue(forKey: oldest)
        }
    }

    private mutating func observe(ts: Int64, arrivalNs: UInt64) {
        transits.add(Double(arrivalNs) - tsNs(ts), at: arrivalNs)
        samplesSeen += 1
        if arrivalNs > configuration.delayWindowNs { transits.expire(before: arrivalNs - configuration.delayWindowNs) }
        let lo = transits.min ?? 0
        let peak = (transits.max ?? lo) - lo
        minTransitNs = lo
        var target = UInt64(max(0, peak)) + configuration.marginNs
        if samplesSeen < configuration.minSamples { target = max(target, configuration.initialDelayNs) }
        targetDelayNs = min(max(target, configuration.minDelayNs), configuration.maxDelayNs)
    }

    /// When slot `ts` should play on the monotonic clock.
    private func playoutNs(_ ts: Int64) -> Double { minTransitNs + tsNs(ts) + Double(targetDelayNs) }

    /// The next 20 ms of playout, called by the playout thread at `nowNs`.
    package mutating func pull(nowNs: UInt64) -> AudioPull {
        let now = Double(nowNs)
        let early = Double(configuration.earlyToleranceNs), late = Double(configuration.lateToleranceNs)
        let frame = configuration.frameSamples
        if nextTs == nil {
            guard let lowest = packets.keys.min(), now >= playoutNs(lowest) - early else { return .empty }
            nextTs = lowest
        }
        var ts = nextTs!
        let error = now - playoutNs(ts)
        if error < -early {
            // Playing ahead of the target delay: hold back one frame.
            stretchedFrames += 1
            return .lostConceal
        }
        if error > late, packets[ts] != nil, packets[ts + frame] != nil,
           lastCompressNs.map({ nowNs >= $0 + configuration.compressSpacingNs }) ?? true {
            packets.removeValue(forKey: ts)
            ts += frame
            skippedFrames += 1
            lastCompressNs = nowNs
        }
        nextTs = ts + frame
        if let p = packets.removeValue(forKey: ts) {
            silentSlots = 0
            return .packet(p)
        }
        if packets.isEmpty {
            silentSlots += 1
            if Double(silentSlots) * frameNs > Double(configuration.maxConcealNs) {
                nextTs = nil
                return .empty
            }
            lostSlots += 1
            return .lostConceal
        }
        silentSlots = 0
        lostSlots += 1
        if let next = packets[ts + frame] {
            fecSlots += 1
            return .lostUseFEC(nextPacket: next)
        }
        return .lostConceal
    }
}
