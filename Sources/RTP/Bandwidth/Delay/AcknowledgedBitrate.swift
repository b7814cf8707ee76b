/// The rate the receiver actually got, from acknowledged packets over a sliding window of arrival time
/// (what the delay-based rate cuts to on overuse and caps its growth by).
package struct AcknowledgedBitrate: Sendable {
    /// Window of arrival time the rate is measured over.
    package static let windowUs: Int64 = 500_000

    private var packets: [(arrivalUs: Int64, bytes: Int)] = []
    private var head = 0
    private var bytesInWindow = 0
    private var firstArrivalUs: Int64?

    package init() {}

    package mutating func add(arrivalUs: Int64, bytes: Int) {
        if firstArrivalUs == nil { firstArrivalUs = arrivalUs }
        packets.append((arrivalUs, bytes))
        bytesInWindow += bytes
        while head < packets.count, packets[head].arrivalUs <= arrivalUs - Self.windowUs {
            bytesInWindow -= packets[head].bytes
            head += 1
        }
        if head > 1024 { packets.removeFirst(head); head = 0 }
    }

    /// Bits per second over the window; nil until a whole window of arrivals was seen.
    package var bitsPerSecond: Int? {
        guard let first = firstArrivalUs, let last = packets.last?.arrivalUs, last - first >= Self.windowUs else {
            return nil
        }
        return bytesInWindow * 8 * 1_000_000 / Int(Self.windowUs)
    }
}

/// The path capacity seen at past overuses: mean and variance of the acknowledged rate when the delay rose.
/// While a new acknowledged rate is within its bounds the rate grows additively, near the known limit (libwebrtc's
/// LinkCapacityEstimator).
package struct LinkCapacityEstimator: Sendable {
    /// Weight of a new overuse sample.
    package static let alpha = 0.05

    package private(set) var estimateKbps: Double?
    private var deviationKbps = 0.4

    package init() {}

    package mutating func onOveruse(acknowledgedBps: Int) {
        let sample = Double(acknowledgedBps) / 1000
        let estimate = estimateKbps.map { (1 - Self.alpha) * $0 + Self.alpha * sample } ?? sample
        estimateKbps = estimate
        let error = estimate - sample
        deviationKbps = (1 - Self.alpha) * deviationKbps + Self.alpha * error * error / max(estimate, 1)
        deviationKbps = min(max(deviationKbps, 0.4), 2.5)
    }

    package mutating func reset() { estimateKbps = nil }

    private var spreadKbps: Double { (deviationKbps * (estimateKbps ?? 0)).squareRoot() * 3 }
    package var upperBoundBps: Int? { estimateKbps.map { Int(($0 + spreadKbps) * 1000) } }
    package var lowerBoundBps: Int? { estimateKbps.map { Int(max(0, $0 - spreadKbps) * 1000) } }
}
