/// A minimal receiver-side bandwidth estimator producing REMB values for the peer (a simplified form of
/// libwebrtc's abs-send-time estimator, as aiortc ports it):
/// 1. Packets are grouped by send time (abs-send-time) into 5 ms bursts.
/// 2. For consecutive groups, delay variation d = arrival delta − send delta; d is accumulated into a queueing
///    delay, smoothed (α = 0.9), and a least-squares slope is fitted over the last 20 groups.
/// 3. slope × min(groups, 60) × 4 above +12.5 ms for two groups in a row means overuse (queues grow),
///    below −12.5 ms underuse (queues drain), else normal. (libwebrtc adapts the threshold; we keep it fixed.)
/// 4. AIMD: overuse sets the estimate to 0.85 × the incoming bitrate (at most once per 200 ms); normal grows
///    it 8% per second, capped at 1.5 × incoming + 10 kbit/s; underuse holds.
/// REMB is due once per second, or at once when the estimate dropped by 3% or more.
/// 5. As libwebrtc's InterArrival: after `streamTimeoutNs` with no packet (a frozen peer, a blackout), or when one
///    group's delay variation exceeds `arrivalOffsetResetNs` (packets held in a socket buffer and read in one
///    burst), the delay trend starts over; the estimate stays. Without this a 4 s pause read as a 4 s queue
///    and cut the peer to the floor (a 640x480 stream to 12 fps for seconds after a SIGSTOP).
package struct RembEstimator: Sendable {
    /// Send-time span of one packet group.
    package static let groupSpanNs: Int64 = 5_000_000
    /// Groups in the trend fit.
    package static let trendWindow = 20
    /// Smoothing of the accumulated delay.
    package static let smoothing = 0.9
    /// Gain applied to the slope, as libwebrtc's trendline estimator.
    package static let trendGain = 4.0
    /// Over/underuse threshold in milliseconds.
    package static let thresholdMs = 12.5
    /// Window of the incoming bitrate.
    package static let rateWindowNs: UInt64 = 1_000_000_000
    /// Multiplicative decrease on overuse.
    package static let decreaseFactor = 0.85
    /// Least time between decreases.
    package static let decreaseHoldNs: UInt64 = 200_000_000
    /// Growth per second when the path is normal.
    package static let increasePerSecond = 0.08
    /// Interval of regular REMBs.
    package static let rembIntervalNs: UInt64 = 1_000_000_000
    /// A drop this large sends a REMB at once.
    package static let immediateDropRatio = 0.97
    /// Estimate floor at start (Chromium starts near it).
    package static let defaultStartBitrate: UInt64 = 300_000
    /// Lowest estimate sent.
    package static let defaultMinBitrate: UInt64 = 30_000
    /// Highest estimate sent.
    package static let defaultMaxBitrate: UInt64 = 2_500_000
    /// A silence this long resets the delay trend (libwebrtc's kStreamTimeOut, 2 s).
    package static let streamTimeoutNs: UInt64 = 2_000_000_000
    /// A delay variation this large between two groups resets the trend (libwebrtc's
    /// kArrivalTimeOffsetThresholdMs, 3 s).
    package static let arrivalOffsetResetNs: Double = 3_000_000_000

    /// Path state from the delay trend.
    package enum Usage: Sendable, Equatable { case normal, overusing, underusing }

    /// Lowest estimate in bit/s.
    package let minBitrate: UInt64
    /// Highest estimate in bit/s.
    package let maxBitrate: UInt64
    /// First estimate when the measured rate is lower.
    package let startBitrate: UInt64
    /// Current estimate in bit/s; nil until a second of traffic has been seen.
    package private(set) var estimate: UInt64?
    /// Latest verdict of the delay trend.
    package private(set) var usage: Usage = .normal

    private struct Group { var firstSendNs: Int64; var lastSendNs: Int64; var lastArrivalNs: UInt64 }
    private var sendUnwrapped: Int64 = 0
    private var lastAbsSendTime: UInt32?
    private var current: Group?
    private var previous: Group?
    private var accumulatedMs = 0.0
    private var smoothedMs = 0.0
    private var trend: [(x: Double, y: Double)] = []
    private var overuseCount = 0
    private var firstArrivalNs: UInt64?
    private var lastArrivalNs: UInt64?
    /// Times the delay trend started over (see `streamTimeoutNs`).
    package private(set) var trendResets = 0
    private var arrivals: [(ns: UInt64, bytes: Int)] = []
    private var arrivalsHead = 0
    private var windowBytes = 0
    private var lastUpdateNs: UInt64?
    private var lastDecreaseNs: UInt64?
    private var lastRemb: (ns: UInt64, bitrate: UInt64)?

    package init(startBitrate: UInt64 = defaultStartBitrate, minBitrate: UInt64 = defaultMinBitrate,
                maxBitrate: UInt64 = defaultMaxBitrate) {
        self.startBitrate = startBitrate; self.minBitrate = minBitrate; self.maxBitrate = maxBitrate
    }

    /// Incoming bitrate over the last second (bit/s).
    package var incomingBitrate: UInt64 { UInt64(windowBytes) * 8 * 1_000_000_000 / Self.rateWindowNs }

    /// Records a received media packet of `size` bytes (whole RTP packet); `absSendTime` from its extension.
    package mutating func onPacket(size: Int, absSendTime: UInt32?, arrivalNs: UInt64) {
        if firstArrivalNs == nil { firstArrivalNs = arrivalNs }
        if let last = lastArrivalNs, arrivalNs > last + Self.streamTimeoutNs { resetTrend() }
        lastArrivalNs = max(lastArrivalNs ?? arrivalNs, arrivalNs)
        arrivals.append((arrivalNs, size))
        windowBytes += size
        while arrivalsHead < arrivals.count, arrivals[arrivalsHead].ns + Self.rateWindowNs <= arrivalNs {
            windowBytes -= arrivals[arrivalsHead].bytes
            arrivalsHead += 1
        }
        if arrivalsHead > 1024 { arrivals.removeFirst(arrivalsHead); arrivalsHead = 0 }
        if let ast = absSendTime { onSendTime(ast & HeaderExtensions.absSendTimeMask, arrivalNs: arrivalNs) }
        update(nowNs: arrivalNs)
    }

    private mutating func onSendTime(_ ast: UInt32, arrivalNs: UInt64) {
        if let last = lastAbsSendTime { sendUnwrapped += HeaderExtensions.absSendTimeDeltaNs(from: last, to: ast) }
        lastAbsSendTime = ast
        let send = sendUnwrapped
        guard var g = current else {
            current = Group(firstSendNs: send, lastSendNs: send, lastArrivalNs: arrivalNs)
            return
        }
        if send < g.firstSendNs { return }  // reordered from an older group: ignore
        if send - g.firstSendNs <= Self.groupSpanNs {
            g.lastSendNs = max(g.lastSendNs, send)
            g.lastArrivalNs = max(g.lastArrivalNs, arrivalNs)
            current = g
            return
        }
        if let prev = previous { onGroupDelta(prev, g) }
        previous = g
        current = Group(firstSendNs: send, lastSendNs: send, lastArrivalNs: arrivalNs)
    }

    private mutating func onGroupDelta(_ a: Group, _ b: Group) {
        let sendDeltaMs = Double(b.lastSendNs - a.lastSendNs) / 1e6
        let arrivalDeltaMs = (Double(b.lastArrivalNs) - Double(a.lastArrivalNs)) / 1e6
        if abs(arrivalDeltaMs - sendDeltaMs) * 1e6 > Self.arrivalOffsetResetNs {
            resetTrend()
            return
        }
        accumulatedMs += arrivalDeltaMs - sendDeltaMs
        smoothedMs = Self.smoothing * smoothedMs + (1 - Self.smoothing) * accumulatedMs
        let x = Double(b.lastArrivalNs - (firstArrivalNs ?? 0)) / 1e6
        trend.append((x, smoothedMs))
        if trend.count > Self.trendWindow { trend.removeFirst() }
        guard trend.count >= 2 else { return }
        let n = Double(trend.count)
        let mx = trend.reduce(0) { $0 + $1.x } / n, my = trend.reduce(0) { $0 + $1.y } / n
        var num = 0.0, den = 0.0
        for p in trend { num += (p.x - mx) * (p.y - my); den += (p.x - mx) * (p.x - mx) }
        let slope = den > 0 ? num / den : 0
        let modified = slope * min(n, 60) * Self.trendGain
        if modified > Self.thresholdMs {
            overuseCount += 1
            usage = overuseCount >= 2 ? .overusing : usage
        } else {
            overuseCount = 0
            usage = modified < -Self.thresholdMs ? .underusing : .normal
        }
    }

    /// Forgets the delay history (not the estimate): the next groups judge the path afresh.
    private mutating func resetTrend() {
        (current, previous, accumulatedMs, smoothedMs, trend, overuseCount, usage) = (nil, nil, 0, 0, [], 0, .normal)
        trendResets += 1
    }

    private mutating func update(nowNs: UInt64) {
        guard let first = firstArrivalNs, nowNs >= first + Self.rateWindowNs else { return }
        let incoming = incomingBitrate
        var value = estimate ?? max(startBitrate, incoming)
        let elapsed = lastUpdateNs.map { Double(nowNs - min(nowNs, $0)) / 1e9 } ?? 0
        lastUpdateNs = nowNs
        switch usage {
        case .overusing:
            if lastDecreaseNs.map({ nowNs >= $0 + Self.decreaseHoldNs }) ?? true {
                value = UInt64(Double(incoming) * Self.decreaseFactor)
                lastDecreaseNs = nowNs
            }
        case .normal:
            let grown = UInt64(Double(value) * (1 + Self.increasePerSecond * min(elapsed, 1)))
            value = max(value, min(grown, incoming * 3 / 2 + 10_000))
        case .underusing:
            break
        }
        estimate = min(max(value, minBitrate), maxBitrate)
    }

    /// The bitrate to send in a REMB now, if one is due (marks it sent).
    package mutating func pollRemb(nowNs: UInt64) -> UInt64? {
        guard let estimate else { return nil }
        if let last = lastRemb, nowNs < last.ns + Self.rembIntervalNs,
           Double(estimate) > Double(last.bitrate) * Self.immediateDropRatio {
            return nil
        }
        lastRemb = (nowNs, estimate)
        return estimate
    }

    /// A REMB packet when one is due now.
    package mutating func pollRemb(senderSsrc: UInt32, mediaSsrcs: [UInt32], nowNs: UInt64) -> Remb? {
        pollRemb(nowNs: nowNs).map { Remb(senderSsrc: senderSsrc, bitrate: $0, ssrcs: mediaSsrcs) }
    }
}
