/// Receiver side of transport-cc: remembers when each transport-wide sequence number arrived (every media
/// stream of the transport shares the numbering) and reports them in `TransportFeedback` packets every
/// `intervalNs`, so a browser's sender can run its delay-based estimator on our link (libwebrtc's
/// RemoteEstimatorProxy). Packets that arrive after their number was reported are not reported again.
package struct TransportFeedbackGenerator: Sendable {
    /// Time between feedback packets: 100 ms (libwebrtc's default).
    package static let defaultIntervalNs: UInt64 = 100_000_000
    /// Most packets one feedback describes; more are split over several.
    package static let maxPacketsPerFeedback = 1_000
    /// Most arrivals remembered between two feedbacks (the oldest are dropped beyond it).
    package static let maxPending = 5_000

    package let intervalNs: UInt64
    private var unwrapper = SequenceUnwrapper()
    /// Arrival time (ns, monotonic) by unwrapped sequence number, not yet reported.
    private var arrivals: [Int64: UInt64] = [:]
    /// The first sequence number not reported yet.
    private var nextBase: Int64?
    private var feedbackCount: UInt8 = 0
    private var lastSentNs: UInt64?
    /// SSRC of the latest media packet (the feedback's media SSRC field).
    private var mediaSsrc: UInt32 = 0

    package init(intervalNs: UInt64 = defaultIntervalNs) { self.intervalNs = intervalNs }

    package mutating func onPacket(transportSequenceNumber: UInt16, ssrc: UInt32, arrivalNs: UInt64) {
        let seq = unwrapper.unwrap(transportSequenceNumber)
        if let nextBase, seq < nextBase { return }
        mediaSsrc = ssrc
        if arrivals[seq] == nil { arrivals[seq] = arrivalNs }
        if arrivals.count > Self.maxPending, let oldest = arrivals.keys.min() {
            arrivals.removeValue(forKey: oldest)
            nextBase = oldest + 1
        }
    }

    /// The feedback due at `nowNs` (none between intervals or when nothing arrived).
    package mutating func poll(senderSsrc: UInt32, nowNs: UInt64) -> [TransportFeedback] {
        if let lastSentNs, nowNs < lastSentNs + intervalNs { return [] }
        guard let last = arrivals.keys.max() else { return [] }
        lastSentNs = nowNs
        var seq = nextBase ?? arrivals.keys.min()!
        var out: [TransportFeedback] = []
        while seq <= last {
            let (feedback, next) = build(from: seq, through: last, senderSsrc: senderSsrc)
            out.append(feedback)
            seq = next
        }
        arrivals.removeAll(keepingCapacity: true)
        nextBase = last + 1
        return out
    }

    /// One feedback from `first` (which may not have arrived) on, until `last`, the packet limit, or a delta
    /// too large for 16 bits; returns it and the first sequence number it did not cover.
    private mutating func build(from first: Int64, through last: Int64, senderSsrc: UInt32) -> (TransportFeedback, Int64) {
        let tickNs = UInt64(TransportFeedback.deltaUnitUs * 1000)
        let unitNs = UInt64(TransportFeedback.referenceTimeUnitUs * 1000)
        // The reference time is the first received packet's arrival, rounded down to 64 ms.
        var s = first
        while arrivals[s] == nil { s += 1 }
        // More losses in a row than one feedback holds (a peer stopped for seconds): they go unreported.
        let first = s - first >= Int64(Self.maxPacketsPerFeedback) ? s : first
        let referenceUnits = arrivals[s]! / unitNs
        var previousTicks = Int64(referenceUnits * unitNs / tickNs)
        var deltas: [Int16?] = []
        var seq = first
        while seq <= last, deltas.count < Self.maxPacketsPerFeedback {
            guard let at = arrivals[seq] else {
                deltas.append(nil)
                seq += 1
                continue
            }
            let ticks = Int64(at / tickNs)
            guard let delta = Int16(exactly: ticks - previousTicks) else { break }
            deltas.append(delta)
            previousTicks = ticks
            seq += 1
        }
        // Trailing losses are reported with the next arrival, not as losses now.
        while deltas.last == .some(nil) { deltas.removeLast(); seq -= 1 }
        let feedback = TransportFeedback(senderSsrc: senderSsrc, mediaSsrc: mediaSsrc,
                                         baseSequenceNumber: UInt16(truncatingIfNeeded: first),
                                         referenceTime: (Int32(truncatingIfNeeded: referenceUnits & 0xFF_FFFF) << 8) >> 8,
                                         feedbackCount: feedbackCount, deltas: deltas)
        feedbackCount &+= 1
        return (feedback, seq)
    }
}
