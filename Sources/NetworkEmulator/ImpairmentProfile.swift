/// What one direction of an emulated link does to the packets that cross it (netem's knobs, in user space).
/// Every default is "no impairment": a profile only impairs what it names.
public struct ImpairmentProfile: Sendable, Equatable, CustomStringConvertible {
    /// Which packets are lost before they reach the queue.
    public var loss: LossModel = .none
    /// Fixed one-way delay added to every packet, in milliseconds. Default 0.
    public var delayMs: Double = 0
    /// Each packet's delay varies uniformly within ± this many milliseconds (netem's default distribution).
    /// Default 0.
    public var jitterMs: Double = 0
    /// Whether jitter may reorder packets. Without it (the default, as on most real paths, whose queues
    /// are FIFO) a packet never overtakes an earlier one: it waits for it.
    public var reorder = false
    /// Bottleneck rate in bits per second; nil (the default) is unlimited.
    public var rateBitsPerSecond: Double?
    /// Depth of the drop-tail queue in front of the bottleneck, as the time it takes to drain at the rate:
    /// a packet that would wait longer is dropped. Default 100 ms. Only used with a rate.
    public var queueMs: Double = 100
    /// Probability that a delivered packet arrives twice. Default 0.
    public var duplicate: Double = 0
    /// While true every packet is dropped (a dead link, an interface gone). Default false.
    public var blackout = false

    public init(loss: LossModel = .none, delayMs: Double = 0, jitterMs: Double = 0, reorder: Bool = false,
                rateBitsPerSecond: Double? = nil, queueMs: Double = 100, duplicate: Double = 0, blackout: Bool = false) {
        self.loss = loss
        self.delayMs = delayMs
        self.jitterMs = jitterMs
        self.reorder = reorder
        self.rateBitsPerSecond = rateBitsPerSecond
        self.queueMs = queueMs
        self.duplicate = duplicate
        self.blackout = blackout
    }

    /// No impairment at all.
    public static let clean = ImpairmentProfile()

    public var description: String {
        var parts: [String] = []
        if blackout { parts.append("blackout") }
        if loss != .none { parts.append("\(loss)") }
        if delayMs > 0 || jitterMs > 0 {
            parts.append(jitterMs > 0 ? "delay \(fmt(delayMs)) ± \(fmt(jitterMs)) ms\(reorder ? " (reordering)" : "")"
                                      : "delay \(fmt(delayMs)) ms")
        }
        if let rate = rateBitsPerSecond { parts.append("cap \(fmt(rate / 1000)) kbit/s, queue \(fmt(queueMs)) ms") }
        if duplicate > 0 { parts.append("duplicate \(fmt(duplicate * 100))%") }
        return parts.isEmpty ? "clean" : parts.joined(separator: ", ")
    }
}

/// How packets are lost.
public enum LossModel: Sendable, Equatable, CustomStringConvertible {
    case none
    /// Each packet independently, with this probability.
    case random(Double)
    /// Gilbert-Elliott: a two-state chain (good, bad) moved once per packet. `goodToBad` and `badToGood`
    /// are the transition probabilities; packets are lost with `lossInBad` in the bad state and
    /// `lossInGood` in the good one.
    case gilbertElliott(goodToBad: Double, badToGood: Double, lossInBad: Double, lossInGood: Double)

    /// Bursty loss with a mean rate and mean burst length (in packets): every packet in the bad state is
    /// lost, none in the good one, so the stationary loss is p / (p + r) with r = 1 / meanBurst.
    public static func bursts(rate: Double, meanBurst: Double) -> LossModel {
        let r = 1 / max(meanBurst, 1)
        let p = rate >= 1 ? 1 : r * rate / (1 - rate)
        return .gilbertElliott(goodToBad: p, badToGood: r, lossInBad: 1, lossInGood: 0)
    }

    public var description: String {
        switch self {
        case .none: "no loss"
        case .random(let p): "loss \(fmt(p * 100))%"
        case .gilbertElliott(let p, let r, let h, let k):
            "burst loss (Gilbert-Elliott p \(fmt(p)), r \(fmt(r)), loss \(fmt(h * 100))% bad / \(fmt(k * 100))% good: "
                + "\(fmt(Self.stationaryLoss(p: p, r: r, bad: h, good: k) * 100))% in all)"
        }
    }

    static func stationaryLoss(p: Double, r: Double, bad: Double, good: Double) -> Double {
        guard p + r > 0 else { return good }
        let inBad = p / (p + r)
        return inBad * bad + (1 - inBad) * good
    }
}

func fmt(_ v: Double) -> String {
    v == v.rounded() ? String(Int(v)) : String(format: "%.3g", v)
}
