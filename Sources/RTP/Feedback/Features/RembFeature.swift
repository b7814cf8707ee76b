/// Receiver-estimated maximum bitrate (draft-alvestrand-rmcat-remb) from abs-send-time: the smallest thing
/// that makes a browser adapt its sending rate to us (`RembEstimator`). Sees every packet of the stream,
/// retransmissions included, as it arrived.
package struct RembFeature: StreamFeature, Sendable {
    /// The negotiated abs-send-time header extension id (no id: the estimator sees arrival times only).
    package let absSendTimeId: UInt8?
    package private(set) var estimator = RembEstimator()

    package init(absSendTimeId: UInt8?) { self.absSendTimeId = absSendTimeId }

    package mutating func unwrap(_ packet: RtpPacket, _ stream: inout StreamContext) -> RtpPacket? {
        let sendTime = absSendTimeId.flatMap { packet.extensionData(id: $0) }.flatMap(HeaderExtensions.decodeAbsSendTime)
        estimator.onPacket(size: stream.packetBytes, absSendTime: sendTime, arrivalNs: stream.packetArrivalNs)
        return packet
    }

    package mutating func poll(_ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        guard let ssrc = stream.mediaSsrc,
              let remb = estimator.pollRemb(senderSsrc: stream.feedbackSsrc, mediaSsrcs: [ssrc], nowNs: nowNs) else { return [] }
        return [.sendRtcp(.remb(remb))]
    }
}
