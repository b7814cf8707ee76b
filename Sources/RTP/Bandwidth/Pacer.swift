/// Spreads a stream's packets over time at `pacingFactor` × its target rate, so a keyframe does not hit a thin
/// link as one burst (libwebrtc's PacingController with an interval budget). The budget refills with elapsed
/// time (at most `maxBurstNs` worth is saved up) and may go into debt by one packet. When the oldest packet
/// would wait more than `maxQueueDelayNs` the queue drains faster, so pacing never delays media much more.
package struct Pacer<Item: Sendable>: Sendable {
    /// Pacing rate over the target rate (libwebrtc's default).
    package static var pacingFactor: Double { 2.5 }
    /// Most unused budget kept between sends.
    package static var maxBurstNs: UInt64 { 5_000_000 }
    /// The queue drains within this, whatever the rate.
    package static var maxQueueDelayNs: UInt64 { 500_000_000 }
    /// Most packets queued; beyond it the oldest are dropped (counted).
    package static var capacity: Int { 2_000 }

    private var queue: [(item: Item, bytes: Int, enqueuedNs: UInt64)] = []
    private var head = 0
    private var queuedBytes = 0
    private var budgetBytes = 0.0
    private var lastNs: UInt64?
    /// Target media rate (bit/s); the pacer sends at `pacingFactor` times it.
    package var targetBitrate: Int
    package private(set) var dropped = 0

    package init(targetBitrate: Int) { self.targetBitrate = targetBitrate }

    package var isEmpty: Bool { head == queue.count }
    package var count: Int { queue.count - head }

    package mutating func enqueue(_ item: Item, bytes: Int, nowNs: UInt64) {
        if count >= Self.capacity {
            queuedBytes -= queue[head].bytes
            head += 1
            dropped += 1
        }
        queue.append((item, bytes, nowNs))
        queuedBytes += bytes
    }

    /// The packets due at `nowNs`, in order.
    package mutating func dequeue(nowNs: UInt64) -> [Item] {
        let elapsed = lastNs.map { nowNs > $0 ? nowNs - $0 : 0 } ?? Self.maxBurstNs
        lastNs = nowNs
        guard !isEmpty else {
            budgetBytes = 0  // an idle pacer saves nothing up
            return []
        }
        let paced = Double(targetBitrate) * Self.pacingFactor
        let age = nowNs > queue[head].enqueuedNs ? nowNs - queue[head].enqueuedNs : 0
        let left = max(Self.maxQueueDelayNs > age ? Self.maxQueueDelayNs - age : 0, Self.maxBurstNs)
        let draining = Double(queuedBytes * 8) * 1e9 / Double(left)
        let bytesPerNs = max(paced, draining) / 8 / 1e9
        budgetBytes = min(budgetBytes + bytesPerNs * Double(elapsed), bytesPerNs * Double(Self.maxBurstNs))
        var out: [Item] = []
        while !isEmpty && budgetBytes > 0 {
            let (item, bytes, _) = queue[head]
            head += 1
            queuedBytes -= bytes
            budgetBytes -= Double(bytes)
            out.append(item)
        }
        if head > 256 && head * 2 > queue.count { queue.removeFirst(head); head = 0 }
        return out
    }
}
