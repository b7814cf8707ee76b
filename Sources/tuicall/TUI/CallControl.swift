import CallEngine
import Media
import Signaling
import SignalingClient
import WebRTCTransport

/// Live figures of a call, for the status line and the stats overlay.
struct CallFigures: Sendable, Equatable {
    /// Received video frames per second.
    var fps: Double
    /// Receive bitrate in kbit/s.
    var kbps: Double
    /// Round-trip time in milliseconds (nil until measured).
    var rttMs: Double?
    /// Received packets lost, in percent.
    var lossPct: Double
}

/// What the call engine tells the UI.
enum CallEvent: Sendable {
    /// Someone calls us: the UI offers accept (`a`) / decline (`d`).
    case ringing(from: String)
    /// We invited `peer` and wait for the answer.
    case calling(peer: String)
    /// Media flows with `peer`.
    case inCall(peer: String)
    /// The call is over (`peer` names the other side, when there was one).
    case ended(CallEndReason, peer: String?)
    /// A call action was refused (unknown user, nothing ringing, ...); shown as is.
    case refused(String)
    /// The peer muted its microphone or turned its camera off (or back on).
    case peerMedia(audioMuted: Bool, videoOff: Bool)
    /// Someone called while we were in a call; they were told we are busy.
    case missedWhileBusy(from: String)
    /// The server went away (`back == false`) or we logged in again (`back == true`) with the call still up.
    case serverDuringCall(peer: String, back: Bool)
    /// The media path to `peer` was lost (`backAfterMs == nil`: reconnecting by ICE restart) or works again.
    case mediaPath(peer: String, backAfterMs: Int?)
    case stats(CallFigures)
    /// Something the user should know that does not end the call (a microphone that cannot be opened).
    case notice(String)
    /// Whether the microphone and speaker are in use, as the status line shows them.
    case devices(mic: DeviceStatus, speaker: DeviceStatus)
}

/// A microphone or speaker as the status line shows it.
enum DeviceStatus: Sendable, Equatable {
    /// Not opened (no call).
    case idle
    case open(String)
    case failed(String)
    case none
}

/// What the UI needs from a call engine. Methods return at once; results arrive as `events`.
/// Refusals the engine detects (busy, peer gone) come back as `ended(reason:)`.
protocol CallControl: AnyObject, Sendable {
    var events: AsyncStream<CallEvent> { get }
    /// Invites `user` (sends the offer).
    func invite(_ user: String)
    /// Accepts the ringing call.
    func accept()
    /// Declines the ringing call.
    func decline()
    /// Ends the current call or call attempt.
    func hangUp()
    func setMicMuted(_ muted: Bool)
    func setCameraOff(_ off: Bool)
    /// Call messages from the signaling server (`video-offer`, `video-answer`, `new-ice-candidate`,
    /// `hang-up`), forwarded by the UI, which owns the signaling event stream.
    func handle(_ message: SignalMessage)
    /// The server's current user list (a peer that left ends the call).
    func usersChanged(_ users: [String])
    /// The signaling connection's state: a lost server ends a call still being set up, not one with media.
    func signalingChanged(_ state: SignalingState)
}

/// What a call engine gets from the client: the signaling connection, the local camera (the UI's
/// preview source, shared), where decoded remote video goes (the UI's mailbox) and the audio device choices.
struct CallContext: Sendable {
    var signaling: SignalingClient
    /// Decoded remote frames, straight from the decode thread (the UI keeps only the latest).
    var remoteVideo: any VideoSink
    /// The local camera (nil for `--camera none`): `subscribe` gives a latest-frame mailbox.
    var localCamera: LocalCamera?
    /// STUN/TURN servers from --ice-server (none by default).
    var ice: IceConfiguration
    var micSpec: String
    var speakerSpec: String
    var autoAnswer: Bool
    var ringTimeoutSeconds: Double = CallOptions.defaultRingTimeoutSeconds
}
