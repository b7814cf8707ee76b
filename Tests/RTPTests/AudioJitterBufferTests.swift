@testable import RTP
import Testing

@Suite struct AudioJitterBufferTests {
    static let start: UInt64 = 1_000 * rtpMs
    static func payload(_ n: Int) -> [UInt8] { [UInt8(n & 0xFF), UInt8(n >> 8)] }
    static func index(_ p: [UInt8]) -> Int { Int(p[0]) | Int(p[1]) << 8 }

    /// Runs a 20 ms stream: `arrival(n)` gives packet n's arrival (nil = lost); pulls every 20 ms, phase 7 ms.
    static func run(_ jb: inout AudioJitterBuffer, packets: Int, until endMs: UInt64,
                    arrival: (Int) -> UInt64?) -> [(atMs: UInt64, pull: AudioPull)] {
        var events: [(UInt64, Int)] = []
        for n in 0..<packets { if let a = arrival(n) { events.append((a, n)) } }
        events.sort { $0.0 < $1.0 }
        var out: [(UInt64, AudioPull)] = []
        var next = 0
        var t = start + 7 * rtpMs
        while t < start + endMs * rtpMs {
            while next < events.count, events[next].0 <= t {
                let n = events[next].1
                jb.insert(timestamp: 0xFFFF_0000 &+ UInt32(n * 960), payload: payload(n), arrivalNs: events[next].0)
                next += 1
            }
            out.append(((t - start) / rtpMs, jb.pull(nowNs: t)))
            t += 20 * rtpMs
        }
        return out
    }

    static func played(_ pulls: [(atMs: UInt64, pull: AudioPull)]) -> [Int] {
        pulls.compactMap { if case .packet(let p) = $0.pull { return index(p) } else { return nil } }
    }

    @Test func steadyStreamStartsAt40msAndSettlesTo20ms() {
        var jb = AudioJitterBuffer()
        let pulls = Self.run(&jb, packets: 200, until: 3_000) { Self.start + UInt64($0) * 20 * rtpMs }
        let first = pulls.firstIndex { if case .packet = $0.pull { return true } else { return false } }!
        #expect(pulls[first].atMs == 47)   // packet 0 arrived at 0 ms, 40 ms initial delay, pull phase 7 ms
        #expect(pulls[..<first].allSatisfy { $0.pull == .empty })
        let order = Self.played(pulls)
        // One frame is skipped when the measured delay (20 ms) replaces the initial 40 ms.
        #expect(jb.skippedFrames == 1 && order.first == 0 && order == order.sorted())
        #expect(order.last! + 1 == order.count + 1)
        #expect(jb.targetDelayNs == 20 * rtpMs && jb.latePackets == 0 && jb.lostSlots == 0 && jb.stretchedFrames == 0)
    }

    @Test func reorderedPairsPlayInOrder() {
        var jb = AudioJitterBuffer()
        // Even packets are 25 ms late, so each arrives after its odd successor.
        let pulls = Self.run(&jb, packets: 150, until: 3_040) { n in
            Self.start + UInt64(n) * 20 * rtpMs + (n % 2 == 0 ? 25 * rtpMs : 0)
        }
        let order = Self.played(pulls)
        #expect(order == order.sorted() && Set(order).count == order.count && order.last == 149)
        #expect(jb.latePackets == 0 && jb.lostSlots == 0)
        #expect(order.count + jb.skippedFrames == 150)
        #expect(jb.targetDelayNs >= 35 * rtpMs)
    }

    @Test func lossUsesFecFromNextPacketThenConcealment() {
        var jb = AudioJitterBuffer()
        let lost: Set<Int> = [50, 80, 81]
        let pulls = Self.run(&jb, packets: 120, until: 2_400) { lost.contains($0) ? nil : Self.start + UInt64($0) * 20 * rtpMs }
        let kinds = pulls.map(\.pull)
        let i49 = kinds.firstIndex(of: .packet(Self.payload(49)))!
        #expect(kinds[i49 + 1] == .lostUseFEC(nextPacket: Self.payload(51)))
        #expect(kinds[i49 + 2] == .packet(Self.payload(51)))
        let i79 = kinds.firstIndex(of: .packet(Self.payload(79)))!
        #expect(kinds[i79 + 1] == .lostConceal)                                   // 80: the next one is lost too
        #expect(kinds[i79 + 2] == .lostUseFEC(nextPacket: Self.payload(82)))      // 81: FEC from 82
        #expect(kinds[i79 + 3] == .packet(Self.payload(82)))
        #expect(jb.lostSlots == 3 && jb.fecSlots == 2)
    }

    @Test func lateBurstRaisesDelaySoTheNextBurstIsOnTime() {
        var jb = AudioJitterBuffer()
        // Packets 100...105 and 200...205 are held by the network and released together 120 ms after 100 (200).
        func arrival(_ n: Int) -> UInt64 {
            let nominal = Self.start + UInt64(n) * 20 * rtpMs
            if (100...105).contains(n) { return Self.start + 2_120 * rtpMs }
            if (200...205).contains(n) { return Self.start + 4_120 * rtpMs }
            return nominal
        }
        var pulls = Self.run(&jb, packets: 300, until: 3_000, arrival: arrival)
        let lateAfterFirst = jb.latePackets
        #expect(lateAfterFirst > 0, "the first burst should catch the buffer at 20 ms")
        #expect(jb.targetDelayNs >= 120 * rtpMs && jb.stretchedFrames >= 4)
        let lostBefore = jb.lostSlots
        // Continue the same run to 6 s (the second burst is inside the 5 s memory of the first).
        var jb2 = AudioJitterBuffer()
        pulls = Self.run(&jb2, packets: 300, until: 6_000, arrival: arrival)
        #expect(jb2.latePackets == lateAfterFirst, "second burst added \(jb2.latePackets - lateAfterFirst) late packets")
        let order = Self.played(pulls)
        #expect(Set(200...205).isSubset(of: Set(order)))
        #expect(jb2.lostSlots == lostBefore)
    }

    @Test func stoppedStreamGoesEmptyAndRestarts() {
        var jb = AudioJitterBuffer()
        let pulls = Self.run(&jb, packets: 200, until: 4_000) { n in
            n < 50 ? Self.start + UInt64(n) * 20 * rtpMs : (n >= 150 ? Self.start + UInt64(n) * 20 * rtpMs : nil)
        }
        let kinds = pulls.map(\.pull)
        // Concealment for up to 300 ms after the last packet, then silence, then playback resumes with 150.
        let lastOld = kinds.firstIndex(of: .packet(Self.payload(49)))!
        #expect(kinds[(lastOld + 1)...(lastOld + 15)].allSatisfy { $0 == .lostConceal })
        #expect(kinds[lastOld + 16] == .empty)
        #expect(Self.played(pulls).contains(150) && jb.latePackets == 0)
    }

    @Test func duplicatesAndFarFutureJumps() {
        var jb = AudioJitterBuffer()
        jb.insert(timestamp: 960, payload: [1], arrivalNs: 0)
        jb.insert(timestamp: 960, payload: [1], arrivalNs: 1)
        #expect(jb.duplicatePackets == 1 && jb.bufferedPackets == 1)
        #expect(jb.pull(nowNs: 50 * rtpMs) == .packet([1]))
        jb.insert(timestamp: 0, payload: [0], arrivalNs: 51 * rtpMs)
        #expect(jb.latePackets == 1)
        jb.insert(timestamp: 960 * 10_000, payload: [9], arrivalNs: 52 * rtpMs)   // the sender restarted its clock
        #expect(jb.bufferedPackets == 1 && jb.targetDelayNs == 40 * rtpMs)
        #expect(jb.pull(nowNs: 100 * rtpMs) == .packet([9]))
        jb.insert(timestamp: 5, payload: [5], arrivalNs: 110 * rtpMs)               // and back again
        #expect(jb.latePackets == 1 && jb.bufferedPackets == 1)
    }
}
