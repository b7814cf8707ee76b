import Signaling

/// Where the signaling connection stands. Every change is reported as an event.
public enum SignalingState: Sendable, Equatable {
    case connecting(attempt: Int)
    /// WebSocket open; login in progress.
    case connected
    /// The server lists us under `name`.
    case loggedIn(name: String)
    case disconnected(reason: String)
    case waitingToReconnect(seconds: Double)
    /// Gave up: the problem is one that trying again cannot fix (an untrusted certificate, a server that
    /// refuses the protocol); `ReconnectPolicy.retryUnfixable` keeps trying anyway.
    case failed(reason: String)
    case stopped
}

/// What the signaling client tells its owner (the call state machine, the TUI, headless mode).
public enum SignalingEvent: Sendable, Equatable {
    case state(SignalingState)
    /// The server's `id` for this connection.
    case assignedID(Int)
    /// The server changed our name (`rejectusername`); the client has adopted it.
    case renamed(String)
    case userList([String])
    case chat(ChatMessage)
    /// Who is in a call (tuicall servers only).
    case userStatus(busy: [String])
    /// Public chat from before we logged in (tuicall servers only).
    case history([ChatMessage])
    /// Call messages (`video-offer`, `video-answer`, `new-ice-candidate`, `hang-up`) and any other type.
    case message(SignalMessage)
    /// The server refused something we sent.
    case serverError(code: String, text: String)
}

/// Reconnection with exponential backoff: 0.5 s, 1 s, 2 s ... capped at 8 s, with ±20% jitter
/// so a restarted server is not hit by every client at the same instant.
public struct ReconnectPolicy: Sendable {
    public var initialDelay: Double = 0.5
    public var maxDelay: Double = 8
    public var jitter: Double = 0.2
    public var enabled = true
    /// Also retry after problems that retrying cannot fix (`--keep-retrying`). Default false.
    public var retryUnfixable = false

    public init(initialDelay: Double = 0.5, maxDelay: Double = 8, jitter: Double = 0.2, enabled: Bool = true,
                retryUnfixable: Bool = false) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.enabled = enabled
        self.retryUnfixable = retryUnfixable
    }

    public func delay(afterFailures n: Int) -> Double {
        let base = min(maxDelay, initialDelay * Double(1 << min(max(n - 1, 0), 20)))
        return base * (1 + Double.random(in: -jitter...jitter))
    }
}
