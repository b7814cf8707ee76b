import CallEngine
import Foundation
import Media
import SDP
import Signaling
import Synchronization

/// Two PeerConnections in one process, connected over 127.0.0.1 with trickle ICE (tests and `bench call`).
/// `@unchecked Sendable`: `setupNs` is written by `connect` before any other thread reads it; the rest is a Mutex.
package final class LoopbackCall: @unchecked Sendable {
    /// How long `connect` waits for both transports.
    package static let defaultConnectTimeoutNs: UInt64 = 15_000_000_000

    package let caller: PeerConnection
    package let callee: PeerConnection
    /// Time from createOffer to both transports connected.
    package private(set) var setupNs: UInt64 = 0
    private let connected = ConditionSignal()
    private let states = Mutex<(callerConnected: Bool, calleeConnected: Bool, failed: Bool)>((false, false, false))

    /// Both sides send an audio and a video track (with an RTX SSRC when `rtx`) and receive the other's.
    package init(cname: (caller: String, callee: String) = ("caller", "callee"), rtx: Bool = true) throws {
        func tracks(_ name: String) -> (LocalTrack, LocalTrack) {
            (LocalTrack(ssrc: .random(in: 1...UInt32.max), streamId: name, trackId: "\(name)-audio"),
             LocalTrack(ssrc: .random(in: 1...UInt32.max), rtxSsrc: rtx ? .random(in: 1...UInt32.max) : nil, streamId: name,
                        trackId: "\(name)-video"))
        }
        let (ca, cv) = tracks(cname.caller), (ea, ev) = tracks(cname.callee)
        caller = try PeerConnection(configuration: PeerConnectionConfiguration(ice: .loopback, cname: cname.caller,
                                                                                audio: ca, video: cv))
        callee = try PeerConnection(configuration: PeerConnectionConfiguration(ice: .loopback, cname: cname.callee,
                                                                                audio: ea, video: ev))
    }

    /// Offer/answer plus trickle; returns once both sides are connected, throws on failure or timeout.
    package func connect(timeoutNs: UInt64 = defaultConnectTimeoutNs) throws {
        let start = MonotonicClock.now()
        wire(caller, to: callee, isCaller: true)
        wire(callee, to: caller, isCaller: false)
        let offer = try caller.createOffer()
        try caller.setLocalDescription(offer)
        try callee.setRemoteDescription(offer)
        let answer = try callee.createAnswer()
        try callee.setLocalDescription(answer)
        try caller.setRemoteDescription(answer)
        let deadline = start + timeoutNs
        while true {
            let g = connected.generation
            let (done, bad) = states.withLock { ($0.callerConnected && $0.calleeConnected, $0.failed) }
            if done { break }
            if bad { throw PeerConnectionError.invalidState("loopback transport failed") }
            let now = MonotonicClock.now()
            if now >= deadline { throw PeerConnectionError.invalidState("loopback call did not connect in time") }
            connected.wait(ifGeneration: g, timeoutNs: min(deadline - now, 100_000_000))
        }
        setupNs = MonotonicClock.now() - start
    }

    private func wire(_ pc: PeerConnection, to peer: PeerConnection, isCaller: Bool) {
        pc.setEventHandler { [weak self, weak peer] event in
            switch event {
            case .iceCandidate(let c): try? peer?.addIceCandidate(c)
            case .connectionState(let s):
                guard let self else { return }
                self.states.withLock { st in
                    if s == .connected { if isCaller { st.callerConnected = true } else { st.calleeConnected = true } }
                    if s == .failed { st.failed = true }
                }
                self.connected.wakeAll()
            case .iceGatheringComplete: break
            }
        }
    }

    /// Closes both connections.
    package func close() {
        caller.close()
        callee.close()
    }
}
