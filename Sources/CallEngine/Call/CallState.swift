import Foundation

/// Where a `Call` stands, as the user sees it.
public enum CallState: Sendable, Equatable {
    /// No call yet.
    case idle
    /// We sent an offer to `peer` and wait for the answer.
    case calling(String)
    /// `from` offered a call; accept or decline.
    case ringing(String)
    /// Offer/answer done; ICE/DTLS still connecting with `peer`.
    case connecting(String)
    /// Connected, media running with `peer`.
    case inCall(String)
    /// The call is over; a new one may start.
    case ended(CallEndReason)

    /// The peer of a call in progress (nil when idle or ended).
    public var peer: String? {
        switch self {
        case .calling(let p), .ringing(let p), .connecting(let p), .inCall(let p): p
        case .idle, .ended: nil
        }
    }
}

/// Why a call ended.
public enum CallEndReason: Sendable, Equatable, CustomStringConvertible {
    /// We hung up.
    case localHangUp
    /// The peer hung up.
    case remoteHangUp
    /// The callee declined (seen by the caller).
    case declined
    /// We declined a ringing call.
    case youDeclined
    /// The callee is in another call (its busy reply).
    case busy
    /// Nobody answered within the ring timeout (seen by the caller).
    case noAnswer
    /// A call rang and was not answered: the caller gave up or the ring timeout passed (seen by the callee).
    case missed
    /// The peer left the server's user list.
    case peerLeft
    /// The connection to the chat server was lost.
    case serverLost
    /// ICE/DTLS failed or the call did not connect in time.
    case connectionFailed(String)
    /// Offer/answer or media could not be set up.
    case failed(String)

    public var description: String {
        switch self {
        case .localHangUp: "you hung up"
        case .remoteHangUp: "the peer hung up"
        case .declined: "the call was declined"
        case .youDeclined: "you declined the call"
        case .busy: "the peer is in another call"
        case .noAnswer: "the peer did not answer"
        case .missed: "missed call"
        case .peerLeft: "the peer left the server"
        case .serverLost: "the connection to the server was lost"
        case .connectionFailed(let why): "the connection failed: \(why)"
        case .failed(let why): "the call failed: \(why)"
        }
    }

    /// The same, naming the peer where the plain text says "the peer" (what a user reads).
    public func description(peer: String?) -> String {
        guard let peer else { return description }
        switch self {
        case .remoteHangUp: return "\(peer) hung up"
        case .declined: return "\(peer) declined the call"
        case .busy: return "\(peer) is in another call"
        case .noAnswer: return "\(peer) did not answer"
        case .missed: return "missed call from \(peer)"
        case .peerLeft: return "\(peer) left the server"
        default: return description
        }
    }
}

/// Why `Call.call`, `accept` or `decline` refused.
public enum CallError: Error, Equatable, CustomStringConvertible {
    case callingYourself
    case alreadyInCall(String)
    case notLoggedIn
    case unknownUser(String)
    case noIncomingCall

    public var description: String {
        switch self {
        case .callingYourself: "you can't call yourself"
        case .alreadyInCall(let p): "you are already in a call with \(p); hang up first"
        case .notLoggedIn: "not connected to the server yet; wait until you are logged in"
        case .unknownUser(let n): "\(n) is not on the server (see the user list)"
        case .noIncomingCall: "no call is ringing"
        }
    }
}

/// Things a call tells its user that are not state changes.
public enum CallNotice: Sendable, Equatable {
    /// The peer muted or unmuted its microphone, or turned its camera off or on (tuicall's `media-state`
    /// message; browsers running tuicall's web client send it too).
    case peerMediaState(audioMuted: Bool, videoOff: Bool)
    /// Someone called while we were in another call; they were told we are busy.
    case missedWhileBusy(from: String)
    /// The signaling server went away during a call: media is peer to peer, so the call goes on while the
    /// client reconnects.
    case serverAwayDuringCall(peer: String)
    /// Logged in again with the call still up (the server was told, so both show as in a call again).
    case serverBackDuringCall(peer: String)
    /// The media path to the peer stopped working (ICE consent lost): ICE restarts until it is back or
    /// `CallOptions.iceRestartTimeoutSeconds` have passed.
    case mediaPathLost(peer: String)
    /// The media path works again, `afterMs` after it was lost.
    case mediaPathBack(peer: String, afterMs: Int)
}
