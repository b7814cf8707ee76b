@testable import RTP
import Testing

/// Sender and receiver pieces wired through a simulated lossy network, stepped 1 ms at a time.
@Suite struct LoopbackTests {
    struct Result {
        var sent: [[UInt8]] = []
        var received: [AssembledFrame] = []
        var nackRecovered = 0
        var dropped = 0
        var plis = 0
        var keyframesGranted = 0
        var maxMissingTracked = 0
    }

    /// 30 fps video for `durationMs`; first transmissions are lost with probability `loss`, and everything
    /// (retransmissions and feedback included) is lost inside `outage`. One-way delay 20 ms.
    static func run(durationMs: UInt64, loss: Double, outage: Range<UInt64> = 0..<0, seed: UInt64) -> Result {
        var rng = RtpTestRandom(seed: seed)
        var r = Result()
        let delay: UInt64 = 20
        var packetizer = VP8Packetizer(initialPictureId: 1)
        var responder = NackResponder()
        var handler = KeyframeRequestHandler()
        var assembler = FrameAssembler()
        var nack = NackGenerator()
        var requester = KeyframeRequester()
        var seq: UInt16 = 30_000
        var keyframePending = true
        var toReceiver: [(at: UInt64, bytes: [UInt8])] = []
        var toSender: [(at: UInt64, packet: RtcpPacket)] = []
        func lost(_ t: UInt64) -> Bool { outage.contains(t) }

        for t in 0..<durationMs {
            let now = t * rtpMs
            // Sender: a frame every 33 ms.
            if t % 33 == 0 {
                let key = keyframePending
                keyframePending = false
                if key { handler.onKeyframeSent(nowNs: now) }
                let frame = fakeVP8Frame(size: key ? 8000 : 2500, keyframe: key, seed: UInt8(truncatingIfNeeded: t))
                r.sent.append(frame)
                let packets = vp8Packets(&packetizer, frame: frame, keyframe: key, firstSeq: seq, timestamp: UInt32(t * 90))
                seq &+= UInt16(packets.count)
                for p in packets {
                    let bytes = p.serialized()   // stands in for SRTP-protected bytes
                    responder.onSent(p, protectedBytes: bytes, nowNs: now)
                    if !lost(t) && Double.random(in: 0..<1, using: &rng) >= loss {
                        toReceiver.append((t + delay, bytes))
                    } else {
                        r.dropped += 1
                    }
                }
            }
            // Sender: feedback.
            for fb in toSender where fb.at == t {
                switch fb.packet {
                case .nack(let n):
                    for case .protectedBytes(let b) in responder.respond(to: n, nowNs: now) where !lost(t) {
                        toReceiver.append((t + delay, b))
                    }
                case .pli:
                    if handler.onPli(nowNs: now) { keyframePending = true; r.keyframesGranted += 1 }
                default: break
                }
            }
            toSender.removeAll { $0.at <= t }
            // Receiver: packets.
            for arrival in toReceiver where arrival.at == t {
                guard let p = try? RtpPacket(parsing: arrival.bytes) else { continue }
                nack.onPacket(sequenceNumber: p.sequenceNumber, nowNs: now)
                for f in assembler.insert(p, arrivalNs: now) {
                    r.received.append(f); requester.onFrame(isKeyframe: f.isKeyframe, nowNs: now)
                }
            }
            toReceiver.removeAll { $0.at <= t }
            // Receiver: timers.
            for f in assembler.poll(nowNs: now) {
                r.received.append(f); requester.onFrame(isKeyframe: f.isKeyframe, nowNs: now)
            }
            if let first = assembler.firstWantedSequenceNumber { nack.forget(before: first) }
            r.maxMissingTracked = max(r.maxMissingTracked, nack.missingSequenceNumbers.count)
            if let n = nack.pollNack(senderSsrc: 1, mediaSsrc: 0x1234_5678, nowNs: now), !lost(t) {
                toSender.append((t + delay, .nack(n)))
            }
            let wantsKey = assembler.needsKeyframe || nack.takeKeyframeRequest()
            if let pli = requester.pollPli(needsKeyframe: wantsKey, senderSsrc: 1, mediaSsrc: 0x1234_5678, nowNs: now) {
                r.plis += 1
                if !lost(t) { toSender.append((t + delay, .pli(pli))) }
            }
        }
        r.nackRecovered = nack.recovered
        return r
    }

    @Test func nackHidesFivePercentLoss() {
        let r = Self.run(durationMs: 3_000, loss: 0.05, seed: 21)
        // Everything except frames still in flight at the end arrives, in order, intact and unflagged.
        #expect(r.received.count >= r.sent.count - 3)
        #expect(r.received.map(\.data) == Array(r.sent.prefix(r.received.count)))
        #expect(r.received.allSatisfy { !$0.missingBefore })
        #expect(r.dropped > 5 && r.nackRecovered == r.dropped && r.plis == 0,
                "dropped \(r.dropped), recovered \(r.nackRecovered), PLIs \(r.plis)")
    }

    @Test func outageRecoversThroughPliAndKeyframe() {
        // Longer than the sender keeps packets (1 s), so NACK cannot repair it.
        let r = Self.run(durationMs: 4_000, loss: 0.0, outage: 1_000..<2_300, seed: 22)
        #expect(r.plis >= 1 && r.keyframesGranted >= 1)
        let afterOutage = r.received.filter { $0.rtpTimestamp > 1_000 * 90 }
        #expect(afterOutage.first?.isKeyframe == true || afterOutage.first?.missingBefore == true)
        #expect(afterOutage.contains { $0.isKeyframe })
        #expect(r.received.last.map { r.sent.suffix(4).contains($0.data) } == true, "video resumed to the end")
        #expect(r.maxMissingTracked < 1000)
    }
}
