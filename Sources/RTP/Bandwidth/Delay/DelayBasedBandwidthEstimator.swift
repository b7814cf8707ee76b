/// Our sending estimate from transport-cc feedback (GCC's delay-based half, draft-ietf-rmcat-gcc-02 §5):
/// packet results → 5 ms groups (`InterArrival`) → delay trend against an adaptive threshold
/// (`TrendlineEstimator`) → AIMD on the acknowledged rate (`AimdRateControl`). The loss-based half stays in
/// `LossBasedRateController`; the sender uses the lower of the two.
package struct DelayBasedBandwidthEstimator: Sendable {
    package private(set) var interArrival = InterArrival()
    package private(set) var trendline = TrendlineEstimator()
    package private(set) var rate: AimdRateControl
    package private(set) var acknowledged = AcknowledgedBitrate()
    /// Packets the feedback reported lost, and all it reported (for statistics).
    package private(set) var packetsLost = 0
    package private(set) var packetsReported = 0

    package init(startBitrate: Int, minBitrate: Int = LossBasedRateController.defaultMinBitrate,
                 maxBitrate: Int = LossBasedRateController.defaultMaxBitrate) {
        rate = AimdRateControl(startBitrate: startBitrate, minBitrate: minBitrate, maxBitrate: maxBitrate)
    }

    package var bitrate: Int { rate.bitrate }
    package var usage: BandwidthUsage { trendline.state }

    /// One feedback's packets (in sequence order) at `nowNs`; returns the estimate.
    @discardableResult
    package mutating func onPacketResults(_ results: [PacketResult], rttNs: UInt64?, nowNs: UInt64) -> Int {
        if let rttNs { rate.rttNs = rttNs }
        let localUs = Int64(nowNs / 1000)
        var sawDelta = false
        for r in results {
            packetsReported += 1
            guard let arrivalUs = r.arrivalUs else { packetsLost += 1; continue }
            acknowledged.add(arrivalUs: arrivalUs, bytes: r.bytes)
            guard let d = interArrival.add(sendUs: Int64(r.sendNs / 1000), arrivalUs: arrivalUs, localUs: localUs,
                                           bytes: r.bytes) else { continue }
            trendline.update(arrivalDeltaMs: Double(d.arrivalUs) / 1000, sendDeltaMs: Double(d.sendUs) / 1000,
                             arrivalMs: Double(arrivalUs) / 1000)
            sawDelta = true
        }
        guard sawDelta else { return rate.bitrate }
        let acked = acknowledged.bitsPerSecond
        if trendline.state == .overusing && !rate.mayReduceFurther(acknowledgedBps: acked, nowNs: nowNs) {
            return rate.bitrate
        }
        return rate.update(trendline.state, acknowledgedBps: acked, nowNs: nowNs)
    }
}
