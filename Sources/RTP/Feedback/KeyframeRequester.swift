/// Receiver side of keyframe requests: decides when to send a PLI. Asks as soon as the frame assembler
/// (or decoder) needs a keyframe, re-asks every `retryIntervalNs` until one arrives, and also asks when no
/// frame at all has arrived for `noFrameTimeoutNs` (the first keyframe may have been lost).
package struct KeyframeRequester: Sendable {
    /// Re-ask interval while a keyframe is still missing.
    package static let defaultRetryIntervalNs: UInt64 = 200_000_000
    /// Ask after this long without any frame.
    package static let defaultNoFrameTimeoutNs: UInt64 = 3_000_000_000

    /// Re-ask interval while a keyframe is needed.
    package let retryIntervalNs: UInt64
    /// Silence after which a keyframe is asked for anyway.
    package let noFrameTimeoutNs: UInt64
    /// PLIs requested so far.
    package private(set) var requests = 0

    private var lastRequestNs: UInt64?
    private var lastFrameNs: UInt64?
    private var startNs: UInt64?

    package init(retryIntervalNs: UInt64 = defaultRetryIntervalNs, noFrameTimeoutNs: UInt64 = defaultNoFrameTimeoutNs) {
        self.retryIntervalNs = retryIntervalNs; self.noFrameTimeoutNs = noFrameTimeoutNs
    }

    /// Records an assembled (or decoded) frame.
    package mutating func onFrame(isKeyframe: Bool, nowNs: UInt64) {
        lastFrameNs = nowNs
        if isKeyframe { lastRequestNs = nil }
    }

    /// True when a PLI should be sent now. `needsKeyframe`: the assembler's or decoder's flag.
    package mutating func shouldRequest(needsKeyframe: Bool, nowNs: UInt64) -> Bool {
        if startNs == nil { startNs = nowNs }
        let silentSince = lastFrameNs ?? startNs!
        let starved = nowNs >= silentSince + noFrameTimeoutNs
        let interval = needsKeyframe ? retryIntervalNs : noFrameTimeoutNs
        guard needsKeyframe || starved else { return false }
        if let last = lastRequestNs, nowNs < last + interval { return false }
        lastRequestNs = nowNs
        requests += 1
        return true
    }

    /// A PLI for `mediaSsrc` when one is due now.
    package mutating func pollPli(needsKeyframe: Bool, senderSsrc: UInt32, mediaSsrc: UInt32,
                                 nowNs: UInt64) -> PictureLossIndication? {
        shouldRequest(needsKeyframe: needsKeyframe, nowNs: nowNs)
            ? PictureLossIndication(senderSsrc: senderSsrc, mediaSsrc: mediaSsrc) : nil
    }
}
