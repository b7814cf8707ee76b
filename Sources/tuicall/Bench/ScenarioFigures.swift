import CallEngine
import Foundation
import Media
import NetworkEmulator
import Signaling

/// One second of a sender's uplink at its emulator relay (cumulative counters at `t`, seconds into the window).
struct UplinkSample {
    let t: Double
    let stats: LinkStats
}

/// What one direction of a scenario call measured: the receiver's view (frames, freezes, audio) and,
/// for the cap and the blackout, the sender's uplink and the receiver's freeze that spans the event.
struct DirectionFigures {
    var fields: JSONObject = [:]

    /// `a`/`b`: the receiver at the window's start and end. `uplink`: the sender's, once a second.
    /// `events`: unix ms of the timeline's changes after the first.
    init(scenario: NetworkScenario, window: Double, a: ReceiverSnapshot, b: ReceiverSnapshot,
         uplink: [UplinkSample], events: [Double]) {
        let seconds = max(0.001, (b.unixMs - a.unixMs) / 1000)
        fields["fps"] = num(round1((b.framesDecoded - a.framesDecoded) / seconds))
        fields["freezes"] = .int(Int(b.longFreezeCount - a.longFreezeCount))
        fields["freezesTotalMs"] = .int(Int(b.longFreezesMs - a.longFreezesMs))
        let inWindow = b.longFreezes.filter { Double($0.endUnixMs) > a.unixMs }
        fields["longestFreezeMs"] = .int(Int(inWindow.map(\.durationMs).max() ?? 0))
        let audio = b.audioTotal - a.audioTotal
        fields["concealedPercent"] = audio > 0 ? num(round1(100 * (b.audioConcealed - a.audioConcealed) / audio)) : .null
        fields["g2gP50Ms"] = b.latencyP50Ms.map { num(round1($0)) } ?? .null
        fields["g2gP95Ms"] = b.latencyP95Ms.map { num(round1($0)) } ?? .null
        fields["resolution"] = .string(b.resolution)
        if let first = uplink.first, let last = uplink.last {
            let d = last.stats, f = first.stats
            let lost = d.lossDrops + d.queueDrops + d.blackoutDrops - f.lossDrops - f.queueDrops - f.blackoutDrops
            fields["linkDroppedPercent"] = num(round1(100 * Double(lost) / Double(max(1, d.packetsIn - f.packetsIn))))
        }
        switch scenario {
        case .cap: capFigures(window: window, uplink)
        case .blackout:
            if let end = events.last { fields["videoBackMs"] = Self.videoBack(after: end, b.longFreezes).map { .int(Int($0)) } ?? .null }
        case .loss, .burst: break
        }
    }

    /// Settling below the cap, the queue while capped, and using the lifted link again.
    private mutating func capFigures(window: Double, _ uplink: [UplinkSample]) {
        let lift = NetworkScenario.capLiftSeconds(window: window)
        let rates = zip(uplink, uplink.dropFirst()).map { (t: $1.t, bps: Double($1.stats.bytesIn - $0.stats.bytesIn) * 8 / ($1.t - $0.t)) }
        let capped = rates.filter { $0.t <= lift }, lifted = rates.filter { $0.t > lift }
        let settle = capped.first { $0.bps <= NetworkScenario.capRate }
        fields["settleS"] = settle.map { num(round1($0.t)) } ?? .null
        let afterSettle = capped.filter { $0.t >= (settle?.t ?? lift) }
        fields["cappedSendKbps"] = afterSettle.isEmpty ? .null
            : .int(Int(afterSettle.map(\.bps).reduce(0, +) / Double(afterSettle.count) / 1000))
        if let start = uplink.first, let end = uplink.last(where: { $0.t <= lift + 0.5 }) {
            let p95 = end.stats.queueDelays.since(start.stats.queueDelays).percentileMs(0.95)
            fields["queueP95Ms"] = p95.map { .int(Int($0)) } ?? .null
        }
        let used = lifted.first { $0.bps >= NetworkScenario.recoveredShare * NetworkScenario.liftedRate }
        fields["recoverS"] = used.map { num(round1($0.t - lift)) } ?? .null
        let peak = lifted.map(\.bps).max()
        fields["liftedPeakKbps"] = peak.map { .int(Int($0 / 1000)) } ?? .null
        // A test pattern may not fill 2 Mbit/s: how fast the sender reached 80 % of what it sent at most.
        let nearPeak = peak.flatMap { p in lifted.first { $0.bps >= NetworkScenario.recoveredShare * p } }
        fields["recoverPeakS"] = nearPeak.map { num(round1($0.t - lift)) } ?? .null
    }

    /// Ms from `endUnixMs` (the blackout's end) until the receiver showed a frame again: the end of the
    /// freeze that spans it. Nil when no freeze covers it (video went on, or never came back).
    static func videoBack(after endUnixMs: Double, _ freezes: [FrameGap]) -> Double? {
        freezes.first { Double($0.endUnixMs) >= endUnixMs && Double($0.endUnixMs) - $0.durationMs <= endUnixMs }
            .map { (Double($0.endUnixMs) - endUnixMs).rounded() }
    }
}

private func num(_ x: Double) -> JSONValue { .number(String(x)) }

/// The closing table: one row per scenario, call and direction.
enum ScenarioTable {
    static let header = """
        | scenario | call | direction | fps | freezes >500 ms (n / total ms / longest) | concealed % | g2g p50/p95 ms \
        | cap: settle s / queue p95 ms / 80% of 2 Mbit/s s / 80% of its peak s (peak kbit/s) | blackout: video back ms |
        |---|---|---|---|---|---|---|---|---|
        """

    static func row(_ line: JSONObject) -> String {
        func v(_ k: String) -> String {
            guard let x = line[k] else { return "–" }
            switch x {
            case .null: return "–"
            case .string(let s): return s
            default: return x.serialized()
            }
        }
        let cap = line["settleS"] == nil ? ""
            : "\(v("settleS")) / \(v("queueP95Ms")) / \(v("recoverS")) / \(v("recoverPeakS")) (\(v("liftedPeakKbps")))"
        let back = line["videoBackMs"] == nil ? "" : v("videoBackMs")
        return "| \(v("scenario")) | \(v("call")) | \(v("direction")) | \(v("fps")) | \(v("freezes")) / "
            + "\(v("freezesTotalMs")) / \(v("longestFreezeMs")) | \(v("concealedPercent")) | \(v("g2gP50Ms")) / "
            + "\(v("g2gP95Ms")) | \(cap) | \(back) |"
    }
}
