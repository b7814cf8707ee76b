/// Our own video send rate from the loss the peer reports (libwebrtc's classic loss-based rule):
/// below 2% loss grow about 8% per second, above 10% cut by (1 − 0.5 · loss) at most once per
/// (300 ms + RTT), in between hold; loss a cut did not reduce counts as the link's own (`inherentLoss`). The peer's REMB and our delay-based (transport-cc) estimate cap it, as
/// libwebrtc's SendSideBandwidthEstimation caps its loss-based target by both.
package struct LossBasedRateController: Sendable {
    /// Starting rate for 640x480.
    package static let defaultStartBitrate = 500_000
    /// Lowest rate for 640x480.
    package static let defaultMinBitrate = 100_000
    /// Highest rate for 640x480.
    package static let defaultMaxBitrate = 2_000_000
    /// Loss below which the rate grows.
    package static let increaseBelowLoss = 0.02
    /// Loss above which the rate is cut.
    package static let decreaseAboveLoss = 0.10
    /// Growth factor per second at low loss.
    package static let increasePerSecond = 1.08
    /// Least time between two cuts, before adding the RTT.
    package static let decreaseHoldNs: UInt64 = 300_000_000

    /// Lowest target in bit/s.
    package let minBitrate: Int
    /// Highest target in bit/s.
    package let maxBitrate: Int
    /// Current rate from loss alone.
    package private(set) var lossBasedBitrate: Int
    /// The latest REMB from the peer, if any.
    package private(set) var remoteEstimate: Int?
    /// The latest delay-based estimate for this stream, if transport-cc runs.
    package private(set) var delayBasedEstimate: Int?
    /// Current RTT; lengthens the hold between cuts.
    package var rttNs: UInt64 = NackGenerator.defaultRttNs

    /// Loss that did not fall when the rate was cut: the link's own (radio, a lossy hop), not congestion. The
    /// thresholds apply above it, so 10 % random loss does not ratchet the rate down to the minimum (the idea of
    /// libwebrtc's LossBasedBweV2, which Chromium runs). Only with a delay-based estimate (transport-cc or the
    /// peer's REMB), which still catches congestion.
    package private(set) var inherentLoss = 0.0
    /// A cut whose loss did not fall this much by the next report marks that loss inherent.
    package static let inherentShare = 0.8

    private var lastUpdateNs: UInt64?
    private var lastDecreaseNs: UInt64?
    private var lossAtLastDecrease: Double?

    package init(startBitrate: Int = defaultStartBitrate, minBitrate: Int = defaultMinBitrate,
                maxBitrate: Int = defaultMaxBitrate) {
        self.minBitrate = minBitrate; self.maxBitrate = maxBitrate
        lossBasedBitrate = min(max(startBitrate, minBitrate), maxBitrate)
    }

    /// The rate to give the encoder: the loss-based rate, which the estimates cap.
    package var targetBitrate: Int { max(minBitrate, min(lossBasedBitrate, upperLimit)) }

    private var upperLimit: Int { min(remoteEstimate ?? .max, delayBasedEstimate ?? .max, maxBitrate) }

    /// Applies a report block's fraction lost (0...1) received at `nowNs`; returns the new target.
    @discardableResult
    package mutating func onLossReport(fractionLost: Double, nowNs: UInt64) -> Int {
        let elapsed = lastUpdateNs.map { nowNs > $0 ? Double(nowNs - $0) / 1e9 : 0 } ?? 1
        lastUpdateNs = nowNs
        inherentLoss = min(inherentLoss, fractionLost)
        if let cutAt = lossAtLastDecrease, delayBasedEstimate != nil || remoteEstimate != nil {
            if fractionLost >= Self.inherentShare * cutAt { inherentLoss = max(inherentLoss, fractionLost) }
            lossAtLastDecrease = nil
        }
        let excess = fractionLost - inherentLoss
        if excess < Self.increaseBelowLoss {
            // Scale by the time since the last report so the growth is per second, whatever the RTCP rate.
            let grown = Double(lossBasedBitrate) * (1 + (Self.increasePerSecond - 1) * min(elapsed, 1.0))
            lossBasedBitrate = Int(grown)
        } else if excess > Self.decreaseAboveLoss {
            let hold = Self.decreaseHoldNs + rttNs
            if lastDecreaseNs.map({ nowNs >= $0 + hold }) ?? true {
                lossBasedBitrate = Int(Double(lossBasedBitrate) * (1 - 0.5 * min(excess, 1)))
                lastDecreaseNs = nowNs
                lossAtLastDecrease = fractionLost
            }
        }
        lossBasedBitrate = min(max(lossBasedBitrate, minBitrate), upperLimit)
        return targetBitrate
    }

    /// Applies a REMB from the peer; returns the new target.
    @discardableResult
    package mutating func onRemb(bitrate: UInt64) -> Int {
        remoteEstimate = Int(clamping: bitrate)
        return capToLimit()
    }

    /// Applies our delay-based estimate for this stream; returns the new target.
    @discardableResult
    package mutating func onDelayBasedEstimate(bitrate: Int) -> Int {
        delayBasedEstimate = bitrate
        return capToLimit()
    }

    /// An estimate below the loss-based rate pulls it down, so it grows again from there.
    private mutating func capToLimit() -> Int {
        lossBasedBitrate = max(minBitrate, min(lossBasedBitrate, upperLimit))
        return targetBitrate
    }
}
