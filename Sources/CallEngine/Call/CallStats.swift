import Foundation
import Media
import Synchronization

/// What a call did, for `--stats-json` and the TUI: media counters plus setup time and test-pattern latency.
public struct CallStats: Sendable, Codable, Equatable {
    /// Peer of the (last) call.
    public var peer: String?
    /// Whether ICE/DTLS ever connected.
    public var connected = false
    /// Invite (our offer, or our accept) to first decoded remote frame, in milliseconds.
    public var setupTimeMs: Double?
    /// Remote frames decoded (all media sessions of the call).
    public var framesDecoded = 0
    /// Size of the last decoded remote frame.
    public var width = 0
    public var height = 0
    /// Capture-to-display latency read from the peer's test pattern (same host clock only), when a
    /// `TestPatternLatencyProbe` was injected (headless `--stats-json`, benchmarks).
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
    public var latencySamples = 0
    /// Why the call ended, if it did.
    public var endReason: String?
    /// Times the media path was lost during the call, and ICE restarts we offered or answered.
    public var pathLosses = 0
    public var iceRestarts = 0
    /// Counters of the current (or last) media session.
    public var media = MediaSessionStats()

    public init() {}

    /// Video frames we encoded and sent.
    public var videoFramesSent = 0
    /// Video RTP packets we sent / received (all m-lines).
    public var videoPacketsSent = 0
    public var videoPacketsReceived = 0
    /// Audio RTP packets we sent / received (all m-lines).
    public var audioPacketsSent = 0
    public var audioPacketsReceived = 0
    /// Audio frames played out (decoded or concealed).
    public var audioFramesPlayed = 0

    /// Sets `media` and the totals derived from it.
    mutating func setMedia(_ m: MediaSessionStats) {
        media = m
        func outbound(_ kind: String) -> [OutboundStreamStats] { m.outbound.filter { $0.kind == kind } }
        func inbound(_ kind: String) -> [InboundStreamStats] { m.inbound.filter { $0.kind == kind } }
        videoFramesSent = outbound("video").map(\.framesEncoded).reduce(0, +)
        videoPacketsSent = outbound("video").map(\.packetsSent).reduce(0, +)
        videoPacketsReceived = inbound("video").map(\.packetsReceived).reduce(0, +)
        audioPacketsSent = outbound("audio").map(\.packetsSent).reduce(0, +)
        audioPacketsReceived = inbound("audio").map(\.packetsReceived).reduce(0, +)
        audioFramesPlayed = inbound("audio").map(\.audioFramesPlayed).reduce(0, +)
    }
}

/// Watches decoded remote video for the call's own figures: first frame time (setup), count and size.
/// It never looks inside a frame (test-pattern latency is an injected `TestPatternLatencyProbe`).
final class RemoteVideoMonitor: VideoSink, Sendable {
    let name = "call monitor"
    private struct State {
        var firstFrameNs: UInt64?
        var frames = 0
        var width = 0, height = 0
    }
    private let state = Mutex(State())

    func accept(_ frame: VideoFrame) {
        let now = MonotonicClock.now()
        state.withLock { s in
            if s.firstFrameNs == nil { s.firstFrameNs = now }
            s.frames += 1
            s.width = frame.width
            s.height = frame.height
        }
    }
    func close() {}

    var firstFrameNs: UInt64? { state.withLock { $0.firstFrameNs } }

    /// Fills the video fields of `stats`.
    func fill(_ stats: inout CallStats, inviteNs: UInt64?) {
        let s = state.withLock { $0 }
        stats.framesDecoded = s.frames
        stats.width = s.width
        stats.height = s.height
        if let first = s.firstFrameNs, let invite = inviteNs, first >= invite { stats.setupTimeMs = Double(first - invite) / 1e6 }
    }
}
