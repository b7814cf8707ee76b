import Media

/// Browsers' "balanced" degradation for a thin link, by target bitrate: 640x480 → 320x240 below 250 kbit/s →
/// 160x120 below 130 kbit/s → 160x120 at two thirds of the frame rate (20 of 30 fps) below 110 kbit/s, and back
/// up once the target is
/// 30 % above a step's threshold. Steps are held a while (each costs a keyframe: the encoder restarts at the new
/// size): down after 1 s, up after 5 s. Sizes are relative to the source; nothing goes below 160 pixels wide.
struct VideoDegradation: Sendable {
    struct Step: Sendable, Equatable {
        /// Width and height are divided by this.
        var divisor: Int
        /// `keep` of every `of` captured frames are encoded.
        var keep: Int
        var of: Int

        /// Whether the `index`-th captured frame is encoded.
        func encodes(frame index: Int) -> Bool { index % of < keep }
    }

    /// Step n applies below `thresholds[n - 1]` bit/s; step 0 is the full picture.
    static let steps = [Step(divisor: 1, keep: 1, of: 1), Step(divisor: 2, keep: 1, of: 1),
                        Step(divisor: 4, keep: 1, of: 1), Step(divisor: 4, keep: 2, of: 3)]
    static let thresholds = [250_000, 130_000, 110_000]
    /// A step is left upwards once the target is this much above its threshold.
    static let upFactor = 1.3
    static let downHoldNs: UInt64 = 1_000_000_000
    static let upHoldNs: UInt64 = 5_000_000_000
    /// The narrowest picture a step may make.
    static let minimumWidth = 160

    private(set) var level = 0
    private var changedNs: UInt64?

    /// The step for the encoder's current target at `nowNs`.
    mutating func update(targetBitrate: Int, nowNs: UInt64) -> Step {
        let held = changedNs.map { nowNs >= $0 ? nowNs - $0 : 0 } ?? .max
        if level < Self.thresholds.count, targetBitrate < Self.thresholds[level], held >= Self.downHoldNs {
            level += 1
            changedNs = nowNs
        } else if level > 0, Double(targetBitrate) >= Double(Self.thresholds[level - 1]) * Self.upFactor,
                  held >= Self.upHoldNs {
            level -= 1
            changedNs = nowNs
        }
        return Self.steps[level]
    }

    /// The divisor of `step` for a source `width` wide, never below `minimumWidth`.
    static func divisor(_ step: Step, width: Int) -> Int {
        var d = step.divisor
        while d > 1 && width / d < minimumWidth { d /= 2 }
        return d
    }
}
