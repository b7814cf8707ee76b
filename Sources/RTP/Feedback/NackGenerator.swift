/// Receiver side of generic NACK: tracks missing sequence numbers of one stream and says when to ask for them.
/// A packet is NACKed once it has been missing for `reorderDelayNs` (so plain reordering is not NACKed),
/// re-NACKed every `retryIntervalNs` (1.25 × RTT), given up after `maxRetries`; if the missing list grows past `maxMissing`
/// it is cleared and a keyframe is needed instead (Janus/libwebrtc behaviour).
package struct NackGenerator: Sendable {
    /// Wait before the first NACK, longer than typical reordering.
    package static let defaultReorderDelayNs: UInt64 = 15_000_000
    /// RTT assumed until a measurement arrives.
    package static let defaultRttNs: UInt64 = 100_000_000
    /// NACKs sent per missing packet before giving up.
    package static let defaultMaxRetries = 10
    /// Missing packets tracked before giving up on NACK and asking for a keyframe.
    package static let defaultMaxMissing = 1000

    /// How long a gap may be reordering before it is NACKed.
    package var reorderDelayNs: UInt64
    /// Current round-trip time; the lead updates it from RTCP (`RttEstimator`).
    package var rttNs: UInt64
    /// Time between NACKs of one packet: 1.25 × RTT. At exactly one RTT, half the re-NACKs of a jittery path
    /// reach the sender before its last retransmission is an RTT old, and it refuses them as still in flight
    /// (as libwebrtc does), so a lost retransmission cost two round trips more instead of one.
    package var retryIntervalNs: UInt64 { Self.retryInterval(rttNs: rttNs) }
    /// 1.25 × `rttNs`.
    package static func retryInterval(rttNs: UInt64) -> UInt64 { rttNs + rttNs / 4 }
    /// NACKs per packet before giving up.
    package let maxRetries: Int
    /// Missing packets tracked before asking for a keyframe instead.
    package let maxMissing: Int

    private struct Missing: Sendable {
        var detectedNs: UInt64
        var lastSentNs: UInt64?
        var retries = 0
    }

    private var unwrapper = SequenceUnwrapper()
    private var highest: Int64?
    private var missing: [Int64: Missing] = [:]
    private var keyframeNeeded = false
    /// Packets that arrived after being reported missing (counts NACK successes and late reordering).
    package private(set) var recovered = 0
    /// Packets given up after `maxRetries` NACKs.
    package private(set) var abandoned = 0

    package init(reorderDelayNs: UInt64 = defaultReorderDelayNs, rttNs: UInt64 = defaultRttNs,
                maxRetries: Int = defaultMaxRetries, maxMissing: Int = defaultMaxMissing) {
        self.reorderDelayNs = reorderDelayNs; self.rttNs = rttNs
        self.maxRetries = maxRetries; self.maxMissing = maxMissing
    }

    /// Sequence numbers currently considered missing, oldest first.
    package var missingSequenceNumbers: [UInt16] {
        missing.keys.sorted().map { UInt16(truncatingIfNeeded: $0) }
    }

    /// Records a received packet (media or RTX-recovered) of the stream.
    package mutating func onPacket(sequenceNumber: UInt16, nowNs: UInt64) {
        let seq = unwrapper.unwrap(sequenceNumber)
        guard let top = highest else { highest = seq; return }
        if seq <= top {
            if missing.removeValue(forKey: seq) != nil { recovered += 1 }
            return
        }
        let gap = seq - top - 1
        if gap > Int64(maxMissing) || missing.count + Int(gap) > maxMissing {
            missing.removeAll()
            keyframeNeeded = true
        } else if gap > 0 {
            for s in (top + 1)..<seq { missing[s] = Missing(detectedNs: nowNs) }
        }
        highest = seq
    }

    /// Sequence numbers to NACK now (oldest first); marks them sent. Build the packet with `GenericNack`.
    package mutating func poll(nowNs: UInt64) -> [UInt16] {
        var due: [Int64] = []
        for (seq, m) in missing {
            let ready: Bool
            if let last = m.lastSentNs { ready = nowNs >= last + retryIntervalNs } else { ready = nowNs >= m.detectedNs + reorderDelayNs }
            if ready { due.append(seq) }
        }
        due.sort()
        for seq in due {
            missing[seq]!.lastSentNs = nowNs
            missing[seq]!.retries += 1
            if missing[seq]!.retries >= maxRetries {
                missing.removeValue(forKey: seq)
                abandoned += 1
            }
        }
        return due.map { UInt16(truncatingIfNeeded: $0) }
    }

    /// A NACK packet for whatever is due now, or nil.
    package mutating func pollNack(senderSsrc: UInt32, mediaSsrc: UInt32, nowNs: UInt64) -> GenericNack? {
        let seqs = poll(nowNs: nowNs)
        return seqs.isEmpty ? nil : GenericNack(senderSsrc: senderSsrc, mediaSsrc: mediaSsrc, sequenceNumbers: seqs)
    }

    /// When `poll` next has something to send; nil when nothing is missing.
    package var nextPollNs: UInt64? {
        missing.values.map { m in m.lastSentNs.map { $0 + retryIntervalNs } ?? m.detectedNs + reorderDelayNs }.min()
    }

    /// True once after the missing list overflowed: ask the sender for a keyframe (PLI).
    package mutating func takeKeyframeRequest() -> Bool {
        defer { keyframeNeeded = false }
        return keyframeNeeded
    }

    /// Forgets sequence numbers the frame assembler gave up on (older than `sequenceNumber`).
    package mutating func forget(before sequenceNumber: UInt16) {
        let seq = unwrapper.peek(sequenceNumber)
        missing = missing.filter { $0.key >= seq }
    }
}
