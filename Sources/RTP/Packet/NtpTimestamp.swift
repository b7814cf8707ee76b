/// A 64-bit NTP timestamp (RFC 3550 §4): seconds since 1900 and a 32-bit binary fraction.
package struct NtpTimestamp: Sendable, Equatable, Hashable {
    /// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
    package static let unixEpochOffsetSeconds: UInt64 = 2_208_988_800

    /// Whole seconds since 1900 (wraps in 2036).
    package var seconds: UInt32
    /// Fraction of a second in units of 2^-32 s.
    package var fraction: UInt32

    /// A timestamp from its two halves.
    package init(seconds: UInt32, fraction: UInt32) {
        self.seconds = seconds; self.fraction = fraction
    }

    /// The NTP time of a Unix wall-clock time in nanoseconds (e.g. from clock_gettime(CLOCK_REALTIME)).
    package init(unixNs: UInt64) {
        let secs = unixNs / 1_000_000_000 + Self.unixEpochOffsetSeconds
        let nanos = unixNs % 1_000_000_000
        seconds = UInt32(truncatingIfNeeded: secs)
        fraction = UInt32(truncatingIfNeeded: (nanos << 32) / 1_000_000_000)
    }

    /// The 64-bit value as sent on the wire.
    package var value: UInt64 { UInt64(seconds) << 32 | UInt64(fraction) }

    /// The middle 32 bits (16.16 seconds): what report blocks echo as LSR.
    package var middle32: UInt32 { UInt32(truncatingIfNeeded: value >> 16) }

    /// Nanoseconds of a compact 16.16 NTP duration such as DLSR.
    package static func nanoseconds(fromCompact compact: UInt32) -> UInt64 {
        (UInt64(compact) * 1_000_000_000) >> 16
    }

    /// A compact 16.16 NTP duration from nanoseconds (saturates at ~18 hours).
    package static func compact(fromNanoseconds ns: UInt64) -> UInt32 {
        // Capping first keeps the shift from overflowing; the result saturates anyway.
        let capped = min(ns, 65_536 * 1_000_000_000)
        return UInt32(clamping: (capped << 16) / 1_000_000_000)
    }
}
