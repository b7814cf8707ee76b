@testable import RTP
import Testing

@Suite struct KeyframeTests {
    @Test func senderMakesAtMostOneKeyframePer300ms() {
        var h = KeyframeRequestHandler()
        #expect(h.onPli(nowNs: 1_000 * rtpMs) == true)
        #expect(h.onPli(nowNs: 1_100 * rtpMs) == false)
        #expect(h.onPli(nowNs: 1_299 * rtpMs) == false)
        #expect(h.onPli(nowNs: 1_300 * rtpMs) == true)
        h.onKeyframeSent(nowNs: 2_000 * rtpMs)            // periodic keyframe counts too
        #expect(h.onPli(nowNs: 2_100 * rtpMs) == false)
        #expect(h.granted == 2 && h.ignored == 3)
    }

    @Test func duplicateFirSequenceNumbersAreIgnored() {
        var h = KeyframeRequestHandler()
        let fir = { (seq: UInt8) in FullIntraRequest(senderSsrc: 9, entries: [.init(ssrc: 0xAAAA, sequenceNumber: seq)]) }
        #expect(h.onFir(fir(1), mediaSsrc: 0xAAAA, nowNs: 0) == true)
        #expect(h.onFir(fir(1), mediaSsrc: 0xAAAA, nowNs: 1_000 * rtpMs) == false)   // a repeat of the same request
        #expect(h.onFir(fir(2), mediaSsrc: 0xAAAA, nowNs: 1_000 * rtpMs) == true)
        let other = h.onFir(FullIntraRequest(senderSsrc: 9, entries: [.init(ssrc: 0xCCCC, sequenceNumber: 3)]),
                            mediaSsrc: 0xAAAA, nowNs: 2_000 * rtpMs)
        #expect(!other)   // for another stream
    }

    @Test func receiverAsksThenReasksEvery200msUntilKeyframe() {
        var r = KeyframeRequester()
        #expect(r.shouldRequest(needsKeyframe: false, nowNs: 0) == false)
        #expect(r.shouldRequest(needsKeyframe: true, nowNs: 100 * rtpMs) == true)
        #expect(r.shouldRequest(needsKeyframe: true, nowNs: 299 * rtpMs) == false)
        #expect(r.pollPli(needsKeyframe: true, senderSsrc: 1, mediaSsrc: 2, nowNs: 300 * rtpMs)
                == PictureLossIndication(senderSsrc: 1, mediaSsrc: 2))
        r.onFrame(isKeyframe: true, nowNs: 350 * rtpMs)
        #expect(r.shouldRequest(needsKeyframe: true, nowNs: 360 * rtpMs) == true)   // a new loss after the keyframe
        #expect(r.requests == 3)
    }

    @Test func receiverAsksAfterThreeSecondsWithoutAnyFrame() {
        var r = KeyframeRequester()
        #expect(r.shouldRequest(needsKeyframe: false, nowNs: 0) == false)
        r.onFrame(isKeyframe: true, nowNs: 1_000 * rtpMs)
        #expect(r.shouldRequest(needsKeyframe: false, nowNs: 3_999 * rtpMs) == false)
        #expect(r.shouldRequest(needsKeyframe: false, nowNs: 4_000 * rtpMs) == true)
        #expect(r.shouldRequest(needsKeyframe: false, nowNs: 4_500 * rtpMs) == false)   // not every poll
        #expect(r.shouldRequest(needsKeyframe: false, nowNs: 7_000 * rtpMs) == true)
        var fresh = KeyframeRequester()
        _ = fresh.shouldRequest(needsKeyframe: false, nowNs: 10 * rtpMs)
        #expect(fresh.shouldRequest(needsKeyframe: false, nowNs: 3_010 * rtpMs) == true)   // never got a first frame
    }
}
