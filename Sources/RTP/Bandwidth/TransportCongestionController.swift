/// Send side of transport-cc for one transport: numbers outgoing packets, turns feedback into packet results and
/// runs the delay-based estimator on them. Network thread only.
package struct TransportCongestionController: Sendable {
    package private(set) var history = TransportSendHistory()
    package private(set) var estimator: DelayBasedBandwidthEstimator

    package init(startBitrate: Int) { estimator = DelayBasedBandwidthEstimator(startBitrate: startBitrate) }

    package mutating func nextSequenceNumber() -> UInt16 { history.nextSequenceNumber() }

    package mutating func onSent(sequenceNumber: UInt16, bytes: Int, nowNs: UInt64) {
        history.onSent(sequenceNumber: sequenceNumber, bytes: bytes, nowNs: nowNs)
    }

    /// One feedback from the peer; returns the delay-based estimate (bit/s) of the whole transport.
    package mutating func onFeedback(_ feedback: TransportFeedback, rttNs: UInt64?, nowNs: UInt64) -> Int {
        return estimator.onPacketResults(history.results(for: feedback), rttNs: rttNs, nowNs: nowNs)
    }
}
