import Media

/// One direction of an emulated link, sans I/O: packets go in with the time they arrived and come out of
/// `due(now:)` when the link would have delivered them. Loss first (a packet lost on the wire never takes
/// queue space), then the bottleneck's drop-tail queue and serialisation, then propagation delay and
/// jitter, then duplication. Times are seconds on any monotonic clock.
public struct LinkEmulator: Sendable {
    public private(set) var profile: ImpairmentProfile
    public private(set) var stats = LinkStats()
    private var rng: SplitMix64
    private var inBadState = false
    /// When the bottleneck has sent everything queued so far.
    private var linkFreeAt = 0.0
    /// The latest delivery time handed out (FIFO paths deliver nothing before it).
    private var lastDelivery = 0.0
    /// Packets on their way, in delivery order.
    private var inFlight: [(at: Double, bytes: [UInt8])] = []

    public init(profile: ImpairmentProfile = .clean, seed: UInt64 = 1) {
        self.profile = profile
        rng = SplitMix64(seed: seed)
    }

    /// Takes effect for packets that arrive from now on (those in flight keep their times).
    public mutating func setProfile(_ p: ImpairmentProfile) { profile = p }

    /// The earliest time a packet is due, if any is in flight.
    public var nextDue: Double? { inFlight.first?.at }

    /// A packet arrives at the link's entrance at `now`.
    public mutating func send(_ bytes: [UInt8], now: Double) {
        stats.packetsIn += 1
        stats.bytesIn += bytes.count
        if profile.blackout {
            stats.blackoutDrops += 1
            return
        }
        if lost() {
            stats.lossDrops += 1
            return
        }
        var departure = now
        if let rate = profile.rateBitsPerSecond, rate > 0 {
            let start = max(now, linkFreeAt)
            if start - now > profile.queueMs / 1000 {
                stats.queueDrops += 1
                return
            }
            departure = start + Double(bytes.count * 8) / rate
            linkFreeAt = departure
            stats.queueDelaySum += start - now
            stats.queueDelayMax = max(stats.queueDelayMax, start - now)
            stats.queueDelays.add(seconds: start - now)
        }
        var at = departure + profile.delayMs / 1000
        if profile.jitterMs > 0 { at += (rng.unit() * 2 - 1) * profile.jitterMs / 1000 }
        at = max(at, departure)
        if !profile.reorder { at = max(at, lastDelivery) }
        lastDelivery = max(lastDelivery, at)
        insert(at: at, bytes)
        if profile.duplicate > 0, rng.unit() < profile.duplicate {
            stats.duplicated += 1
            insert(at: at, bytes)
        }
    }

    /// Removes and returns the packets due by `now`, in delivery order.
    public mutating func due(now: Double) -> [[UInt8]] {
        var n = 0
        while n < inFlight.count, inFlight[n].at <= now { n += 1 }
        guard n > 0 else { return [] }
        let out = inFlight[..<n].map(\.bytes)
        inFlight.removeFirst(n)
        stats.packetsOut += out.count
        return out
    }

    private mutating func lost() -> Bool {
        switch profile.loss {
        case .none: return false
        case .random(let p): return rng.unit() < p
        case .gilbertElliott(let p, let r, let h, let k):
            inBadState = inBadState ? rng.unit() >= r : rng.unit() < p
            return rng.unit() < (inBadState ? h : k)
        }
    }

    private mutating func insert(at: Double, _ bytes: [UInt8]) {
        // Stable: a packet due at the same time as others goes after them.
        var i = inFlight.count
        while i > 0, inFlight[i - 1].at > at { i -= 1 }
        inFlight.insert((at, bytes), at: i)
    }
}

/// What one direction of a link did, counted since it was made.
public struct LinkStats: Sendable, Equatable {
    public var packetsIn = 0
    public var bytesIn = 0
    public var packetsOut = 0
    public var lossDrops = 0
    public var queueDrops = 0
    public var blackoutDrops = 0
    public var duplicated = 0
    /// Seconds packets waited in the bottleneck queue, summed, and the longest wait.
    public var queueDelaySum = 0.0
    public var queueDelayMax = 0.0
    /// Every queued packet's wait, for percentiles over a window.
    public var queueDelays = DelayHistogram()

    public init() {}

    public static func + (a: LinkStats, b: LinkStats) -> LinkStats {
        var s = a
        s.packetsIn += b.packetsIn
        s.bytesIn += b.bytesIn
        s.packetsOut += b.packetsOut
        s.lossDrops += b.lossDrops
        s.queueDrops += b.queueDrops
        s.blackoutDrops += b.blackoutDrops
        s.duplicated += b.duplicated
        s.queueDelaySum += b.queueDelaySum
        s.queueDelayMax = max(a.queueDelayMax, b.queueDelayMax)
        s.queueDelays = a.queueDelays + b.queueDelays
        return s
    }
}
