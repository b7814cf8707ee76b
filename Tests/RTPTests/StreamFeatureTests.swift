@testable import RTP
import Testing

/// The feedback features as a stream chains them: each one does its part, and a new one is just another element.
@Suite struct StreamFeatureTests {
    static let media: UInt32 = 0x1111, rtx: UInt32 = 0x2222, ours: UInt32 = 0x9999
    static let ms: UInt64 = 1_000_000

    static func packet(_ seq: UInt16, pt: UInt8 = 96, ssrc: UInt32 = media) -> RtpPacket {
        RtpPacket(payloadType: pt, sequenceNumber: seq, timestamp: UInt32(seq) * 3000, ssrc: ssrc, marker: true,
                  payload: [0x10, 0, 0, UInt8(truncatingIfNeeded: seq)])
    }

    @Test func receivingChainUnwrapsRtxNacksAGapAndAsksForAKeyframeOnOverflow() throws {
        var chain = FeatureChain([RtxReceiveFeature(rtxPayloadType: 97, mediaPayloadType: 96), NackFeature(), PliFeature()])
        var stream = StreamContext(feedbackSsrc: Self.ours, mediaSsrc: Self.media)
        // 1, 2, then 5: 3 and 4 are missing.
        for seq: UInt16 in [1, 2, 5] {
            let p = try #require(chain.unwrap(Self.packet(seq), &stream))
            chain.received(p, &stream, nowNs: UInt64(seq) * Self.ms)
        }
        #expect(chain.poll(&stream, nowNs: 6 * Self.ms).isEmpty)  // within the reordering delay
        let actions = chain.poll(&stream, nowNs: 40 * Self.ms)
        #expect(actions.contains(.sendRtcp(.nack(GenericNack(senderSsrc: Self.ours, mediaSsrc: Self.media,
                                                               sequenceNumbers: [3, 4])))))
        // The repair arrives as RTX: unwrapped to packet 3, marked as a retransmission.
        let repair = Rtx.encapsulate(Self.packet(3), rtxPayloadType: 97, rtxSsrc: Self.rtx, rtxSequenceNumber: 500)
        let unwrapped = try #require(chain.unwrap(repair, &stream))
        #expect(unwrapped.sequenceNumber == 3 && unwrapped.ssrc == Self.media && stream.isRetransmission)
        // A padding-only RTX probe is consumed.
        #expect(chain.unwrap(RtpPacket(payloadType: 97, sequenceNumber: 501, timestamp: 0, ssrc: Self.rtx, marker: false,
                                       payload: []), &stream) == nil)
        // A stream the depacketizer gave up on asks for a keyframe at once.
        stream.needsKeyframe = true
        #expect(chain.poll(&stream, nowNs: 50 * Self.ms).contains(.sendRtcp(.pli(PictureLossIndication(
            senderSsrc: Self.ours, mediaSsrc: Self.media)))))
    }

    @Test func sendingChainAnswersNackPliAndRemb() {
        var chain = FeatureChain([NackResponseFeature(rtx: nil), KeyframeRequestFeature(),
                                  RateControlFeature(startBitrate: 500_000)])
        var stream = StreamContext(feedbackSsrc: Self.ours, mediaSsrc: Self.ours)
        let sent = Self.packet(7, ssrc: Self.ours)
        chain.sent(sent, protected: [0xAB, 0xCD], &stream, nowNs: Self.ms)
        let nack = GenericNack(senderSsrc: Self.media, mediaSsrc: Self.ours, sequenceNumbers: [7])
        #expect(chain.rtcp(.nack(nack), &stream, nowNs: 2 * Self.ms) == [.resendProtected([0xAB, 0xCD])])
        // A NACK about someone else's stream is not ours to answer.
        #expect(chain.rtcp(.nack(GenericNack(senderSsrc: 1, mediaSsrc: 2, sequenceNumbers: [7])), &stream,
                           nowNs: 3 * Self.ms).isEmpty)
        let pli = RtcpPacket.pli(PictureLossIndication(senderSsrc: Self.media, mediaSsrc: Self.ours))
        #expect(chain.rtcp(pli, &stream, nowNs: 10 * Self.ms) == [.forceKeyframe])
        #expect(chain.rtcp(pli, &stream, nowNs: 20 * Self.ms).isEmpty)  // one keyframe per 300 ms
        let remb = RtcpPacket.remb(Remb(senderSsrc: Self.media, bitrate: 300_000, ssrcs: [Self.ours]))
        #expect(chain.rtcp(remb, &stream, nowNs: 30 * Self.ms) == [.setTargetBitrate(300_000)])
        #expect(chain.rtcp(remb, &stream, nowNs: 40 * Self.ms).isEmpty)  // no change, no request
    }

    /// After an outage longer than the retention, the receiver asks for packets we no longer have: it can
    /// only recover from a keyframe, so we send one at once (and not again within 1 s).
    @Test func aNackForPacketsNoLongerKeptForcesOneKeyframe() {
        var feature = NackResponseFeature(rtx: nil)
        var stream = StreamContext(feedbackSsrc: Self.ours, mediaSsrc: Self.ours)
        feature.sent(Self.packet(7, ssrc: Self.ours), protected: [1], &stream, nowNs: Self.ms)
        let second = 1_000 * Self.ms
        feature.sent(Self.packet(8, ssrc: Self.ours), protected: [2], &stream, nowNs: 3 * second)  // 7 has expired
        let nack = { (seq: UInt16) in RtcpPacket.nack(GenericNack(senderSsrc: Self.media, mediaSsrc: Self.ours, sequenceNumbers: [seq])) }
        #expect(feature.rtcp(nack(8), &stream, nowNs: 3 * second + Self.ms) == [.resendProtected([2])], "kept: resent, no keyframe")
        #expect(feature.rtcp(nack(7), &stream, nowNs: 3 * second + 2 * Self.ms) == [.forceKeyframe])
        #expect(feature.rtcp(nack(7), &stream, nowNs: 3 * second + 500 * Self.ms).isEmpty, "one keyframe per second")
        #expect(feature.rtcp(nack(7), &stream, nowNs: 4 * second + 3 * Self.ms) == [.forceKeyframe])
    }

    /// Opus's expected loss follows the peer's reports about our audio, smoothed, capped at 30 %.
    @Test func expectedAudioLossFollowsTheReports() {
        var feature = ExpectedLossFeature()
        var stream = StreamContext(feedbackSsrc: 5, mediaSsrc: 5)
        func report(_ fractionLost: UInt8, ssrc: UInt32 = 5) -> RtcpPacket {
            .receiverReport(ReceiverReport(ssrc: 9, reports: [ReportBlock(
                ssrc: ssrc, fractionLost: fractionLost, cumulativeLost: 0, extendedHighestSequenceNumber: 0, jitter: 0,
                lastSenderReport: 0, delaySinceLastSenderReport: 0)]))
        }
        #expect(feature.rtcp(report(26), &stream, nowNs: 0) == [.setExpectedPacketLoss(10)], "26/256 ≈ 10 %")
        #expect(feature.rtcp(report(26), &stream, nowNs: 1).isEmpty, "unchanged")
        #expect(feature.rtcp(report(200, ssrc: 6), &stream, nowNs: 2).isEmpty, "another stream's block")
        #expect(feature.rtcp(report(0), &stream, nowNs: 3) == [.setExpectedPacketLoss(7)])
        #expect(feature.rtcp(report(255), &stream, nowNs: 4) == [.setExpectedPacketLoss(30)])
    }
}
