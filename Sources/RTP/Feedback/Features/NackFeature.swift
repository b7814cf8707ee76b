/// RFC 4585 generic NACK, receiving side: asks again for packets missing longer than reordering explains
/// (`NackGenerator`), and asks for a keyframe instead when too many are missing.
package struct NackFeature: StreamFeature, Sendable {
    package private(set) var generator: NackGenerator
    private let fresh: NackGenerator

    package init(generator: NackGenerator = NackGenerator()) {
        self.generator = generator
        fresh = generator
    }

    package mutating func received(_ packet: RtpPacket, _ stream: inout StreamContext, nowNs: UInt64) {
        if let rtt = stream.rttNs { generator.rttNs = rtt }
        generator.onPacket(sequenceNumber: packet.sequenceNumber, nowNs: nowNs)
    }

    package mutating func restart() { generator = fresh }

    package mutating func poll(_ stream: inout StreamContext, nowNs: UInt64) -> [FeedbackAction] {
        if let first = stream.firstWantedSequenceNumber { generator.forget(before: first) }
        var out: [FeedbackAction] = []
        if let ssrc = stream.mediaSsrc,
           let nack = generator.pollNack(senderSsrc: stream.feedbackSsrc, mediaSsrc: ssrc, nowNs: nowNs) {
            out.append(.sendRtcp(.nack(nack)))
        }
        if generator.takeKeyframeRequest() { stream.needsKeyframe = true }
        return out
    }
}
