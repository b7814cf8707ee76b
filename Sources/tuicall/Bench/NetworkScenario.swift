import NetworkEmulator

/// The four conditions of `tuicall bench scenarios`, each applied to both senders' uplinks (so each
/// direction of the call meets it once) from the start of the measured window.
enum NetworkScenario: String, CaseIterable {
    /// 10% random loss, 50 ms delay ± 20 ms jitter (uniform, FIFO: no reordering).
    case loss
    /// 500 kbit/s with a 100 ms drop-tail queue, lifted to 2 Mbit/s after `capLiftSeconds`.
    case cap
    /// 3% loss in bursts of mean 5 packets (Gilbert-Elliott).
    case burst
    /// Everything dropped for 3 s from `blackoutStartSeconds`, clean before and after.
    case blackout

    static let capRate = 500_000.0
    static let liftedRate = 2_000_000.0
    static let capQueueMs = 100.0
    /// A sender has "used" the lifted link once a 1 s window carries this share of it.
    static let recoveredShare = 0.8
    static let blackoutSeconds = 3.0

    /// The cap is lifted 30 s in, or halfway through a shorter window.
    static func capLiftSeconds(window: Double) -> Double { min(30, window / 2) }
    /// The blackout starts 20 s in, or a third of the way through a shorter window.
    static func blackoutStartSeconds(window: Double) -> Double { min(20, window / 3) }

    var title: String {
        switch self {
        case .loss: "10% loss + 50±20 ms jitter"
        case .cap: "500 kbit/s cap (100 ms queue), 2 Mbit/s later"
        case .burst: "3% burst loss (mean burst 5)"
        case .blackout: "3 s blackout"
        }
    }

    /// Profile changes, in seconds from the start of the window.
    func timeline(window: Double) -> [(at: Double, profile: ImpairmentProfile)] {
        switch self {
        case .loss:
            return [(0, ImpairmentProfile(loss: .random(0.10), delayMs: 50, jitterMs: 20))]
        case .cap:
            let queue = Self.capQueueMs
            return [(0, ImpairmentProfile(rateBitsPerSecond: Self.capRate, queueMs: queue)),
                    (Self.capLiftSeconds(window: window), ImpairmentProfile(rateBitsPerSecond: Self.liftedRate, queueMs: queue))]
        case .burst:
            return [(0, ImpairmentProfile(loss: .bursts(rate: 0.03, meanBurst: 5)))]
        case .blackout:
            let start = Self.blackoutStartSeconds(window: window)
            return [(0, .clean), (start, ImpairmentProfile(blackout: true)), (start + Self.blackoutSeconds, .clean)]
        }
    }
}

/// Who calls whom in a scenario call.
enum CallPair: String, CaseIterable {
    case tt, tc, ct, cc

    var caller: String { rawValue.hasPrefix("t") ? "tuicall" : "chromium" }
    var callee: String { rawValue.hasSuffix("t") ? "tuicall" : "chromium" }
    var title: String { "\(caller) → \(callee)" }
}
