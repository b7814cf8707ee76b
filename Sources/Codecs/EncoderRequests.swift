import Synchronization

/// Changes asked of a video encoder from other threads (RTCP PLI/FIR, bandwidth estimation).
/// They wait here and the encoder's own thread applies them at its next `encode`, so the
/// encoder itself needs no locking.
public final class VideoEncoderRequests: Sendable {
    struct Pending: Sendable {
        var keyframe = false
        var bitrate: Int?
    }
    private let pending = Mutex(Pending())

    /// Nothing pending.
    public init() {}

    /// Makes the next encoded frame a keyframe (for a PLI or FIR from the receiver).
    public func requestKeyframe() {
        pending.withLock { $0.keyframe = true }
    }

    /// Sets the target bitrate in bits per second from the next frame on.
    public func setTargetBitrate(_ bitsPerSecond: Int) {
        pending.withLock { $0.bitrate = bitsPerSecond }
    }

    /// Takes and clears what is pending.
    func take() -> Pending {
        pending.withLock { p in
            let taken = p
            p = Pending()
            return taken
        }
    }
}

/// Changes asked of an audio encoder from other threads, applied at its next `encode`.
public final class AudioEncoderRequests: Sendable {
    struct Pending: Sendable {
        var bitrate: Int?
        var packetLossPercent: Int?
    }
    private let pending = Mutex(Pending())

    /// Nothing pending.
    public init() {}

    /// Sets the target bitrate in bits per second from the next packet on.
    public func setTargetBitrate(_ bitsPerSecond: Int) {
        pending.withLock { $0.bitrate = bitsPerSecond }
    }

    /// Tells the encoder how much loss to expect (0...100), which sizes its in-band FEC.
    public func setExpectedPacketLoss(percent: Int) {
        pending.withLock { $0.packetLossPercent = percent }
    }

    func take() -> Pending {
        pending.withLock { p in
            let taken = p
            p = Pending()
            return taken
        }
    }
}
