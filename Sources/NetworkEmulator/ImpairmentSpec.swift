import Foundation

/// Profiles from the command line: comma-separated `key=value` items, e.g.
/// `loss=10%,delay=50ms,jitter=20ms` or `rate=500k,queue=100ms` or `burst=3%/5` (rate / mean burst
/// length in packets). Keys: loss, burst, delay, jitter, reorder, rate, queue, duplicate, blackout;
/// `clean` (or an empty spec) is no impairment. Percentages may be written `10%` or `0.1`.
extension ImpairmentProfile {
    public init(spec: String) throws(ImpairmentSpecError) {
        self.init()
        let items = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for item in items where item != "clean" {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let key = parts[0].lowercased(), value = parts.count > 1 ? parts[1] : nil
            func need() throws(ImpairmentSpecError) -> String {
                guard let value, !value.isEmpty else { throw ImpairmentSpecError("\(key) needs a value (\(key)=...)") }
                return value
            }
            switch key {
            case "loss": loss = .random(try Self.fraction(try need(), key))
            case "burst":
                let v = try need().split(separator: "/").map(String.init)
                guard v.count == 2, let mean = Double(v[1]), mean >= 1 else {
                    throw ImpairmentSpecError("burst is rate/mean burst length in packets, e.g. burst=3%/5")
                }
                loss = .bursts(rate: try Self.fraction(v[0], key), meanBurst: mean)
            case "delay": delayMs = try Self.milliseconds(try need(), key)
            case "jitter": jitterMs = try Self.milliseconds(try need(), key)
            case "queue": queueMs = try Self.milliseconds(try need(), key)
            case "rate": rateBitsPerSecond = try Self.bitRate(try need())
            case "duplicate": duplicate = try Self.fraction(try need(), key)
            case "reorder": reorder = value.map { $0 != "false" && $0 != "0" } ?? true
            case "blackout": blackout = value.map { $0 != "false" && $0 != "0" } ?? true
            default:
                throw ImpairmentSpecError("unknown impairment \"\(key)\" (known: loss, burst, delay, jitter, reorder, "
                                          + "rate, queue, duplicate, blackout, clean)")
            }
        }
    }

    static func fraction(_ s: String, _ key: String) throws(ImpairmentSpecError) -> Double {
        let percent = s.hasSuffix("%")
        guard let v = Double(percent ? String(s.dropLast()) : s), v >= 0 else {
            throw ImpairmentSpecError("\(key)=\(s) is not a probability (write 10% or 0.1)")
        }
        let f = percent ? v / 100 : v
        guard f <= 1 else { throw ImpairmentSpecError("\(key)=\(s) is over 100%") }
        return f
    }

    static func milliseconds(_ s: String, _ key: String) throws(ImpairmentSpecError) -> Double {
        var t = s.lowercased(), scale = 1.0
        if t.hasSuffix("ms") { t.removeLast(2) } else if t.hasSuffix("s") { t.removeLast(); scale = 1000 }
        guard let v = Double(t), v >= 0, v < 600_000 else { throw ImpairmentSpecError("\(key)=\(s) is not a time (write 50ms or 0.05s)") }
        return v * scale
    }

    static func bitRate(_ s: String) throws(ImpairmentSpecError) -> Double {
        var t = s.lowercased(), scale = 1.0
        if t.hasSuffix("bit/s") { t.removeLast(5) } else if t.hasSuffix("bps") { t.removeLast(3) }
        if t.hasSuffix("k") { t.removeLast(); scale = 1e3 } else if t.hasSuffix("m") { t.removeLast(); scale = 1e6 }
        guard let v = Double(t), v * scale >= 1000 else {
            throw ImpairmentSpecError("rate=\(s) is not a bit rate of at least 1 kbit/s (write 500k or 2M)")
        }
        return v * scale
    }
}

public struct ImpairmentSpecError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ d: String) { description = d }
}
