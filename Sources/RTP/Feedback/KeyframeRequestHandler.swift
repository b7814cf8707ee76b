/// Sender side of keyframe requests (PLI, FIR): forces at most one keyframe per `minIntervalNs`, ignores
/// FIRs that repeat a sequence number already served. A request inside the interval is dropped rather than
/// deferred: it usually crossed the keyframe just sent, and the receiver re-asks if it still needs one.
package struct KeyframeRequestHandler: Sendable {
    /// Least time between keyframes forced by requests.
    package static let defaultMinIntervalNs: UInt64 = 300_000_000

    /// Least time between forced keyframes.
    package let minIntervalNs: UInt64
    /// Requests answered with a keyframe.
    package private(set) var granted = 0
    /// Requests dropped (too soon, or a repeated FIR).
    package private(set) var ignored = 0

    private var lastKeyframeNs: UInt64?
    private var lastFirSequence: [UInt32: UInt8] = [:]

    package init(minIntervalNs: UInt64 = defaultMinIntervalNs) { self.minIntervalNs = minIntervalNs }

    /// A PLI arrived; true when the encoder should make a keyframe now.
    package mutating func onPli(nowNs: UInt64) -> Bool { grant(nowNs: nowNs) }

    /// A FIR arrived; true when the encoder should make a keyframe now. Only entries for `mediaSsrc` count.
    package mutating func onFir(_ fir: FullIntraRequest, mediaSsrc: UInt32, nowNs: UInt64) -> Bool {
        var fresh = false
        for e in fir.entries where e.ssrc == mediaSsrc {
            if lastFirSequence[fir.senderSsrc] != e.sequenceNumber {
                lastFirSequence[fir.senderSsrc] = e.sequenceNumber
                fresh = true
            }
        }
        guard fresh else { ignored += 1; return false }
        return grant(nowNs: nowNs)
    }

    /// The encoder produced a keyframe on its own (start, periodic): it counts towards the interval.
    package mutating func onKeyframeSent(nowNs: UInt64) { lastKeyframeNs = nowNs }

    private mutating func grant(nowNs: UInt64) -> Bool {
        if let last = lastKeyframeNs, nowNs < last + minIntervalNs { ignored += 1; return false }
        lastKeyframeNs = nowNs
        granted += 1
        return true
    }
}
