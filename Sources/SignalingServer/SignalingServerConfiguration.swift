/// Everything `tuicall serve` can be told. Defaults are the MDN chat server's (port 6503,
/// 64 KiB frames) plus the limits that keep one client from hurting the others.
public struct SignalingServerConfiguration: Sendable {
    /// Address to listen on. Default 127.0.0.1: exposing a server to a network is a choice.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests, benchmarks). Default 6503, as the MDN sample expects.
    public var port = 6503
    /// Seconds between keep-alive pings to every client (one timer for all, not one task per
    /// connection, which would cost ~3 KB each). Default 30; 0 disables.
    public var pingIntervalSeconds = 30
    /// How long a closing connection waits for the client's close frame before the socket is dropped:
    /// a frozen or vanished client must not hold up a shutdown (the library's default is 15 s). Default 2 s.
    public var closeTimeoutSeconds = 2
    /// On shutdown, connections still open this long after the close frames went out are closed
    /// without a handshake. Default 3 s.
    public var shutdownGraceSeconds = 3
    /// Pending-connection queue length (a login storm opens thousands at once). Default 1,024.
    public var backlog = 1024
    /// Largest WebSocket message accepted, in bytes. Default 64 KiB (the original server's cap;
    /// the largest real message, a 4-m-line re-offer, is about 11 KB).
    public var maxMessageBytes = 64 * 1024
    /// Sustained messages per second one connection may send. Default 100/s.
    public var rateLimitPerSecond: Double = 100
    /// Burst allowance on top of the sustained rate (ICE candidates arrive in bursts). Default 200.
    public var rateLimitBurst: Double = 200
    /// What a username may be (64 scalars, 256 bytes, no invisible or bidi characters, ...).
    public var usernameRules = UsernameRules()
    /// Largest `userlist` message in bytes: logins that would grow it further are refused ("server-full"), so
    /// the list always fits a client's send queue and inbound limit (4 MiB). Default 1 MiB (about 80,000
    /// ten-letter names).
    public var maxUserListBytes = 1 << 20
    /// Bytes × recipients one connection may broadcast per second (a 100-byte line to 10,000 users is 1 MB),
    /// and its burst. Defaults 1 MB/s, 4 MB.
    public var broadcastBytesPerSecond: Double = 1_000_000
    public var broadcastBurstBytes: Double = 4_000_000
    /// The same budget for the whole server, all senders together. Defaults 100 MB/s, 200 MB.
    public var serverBroadcastBytesPerSecond: Double = 100_000_000
    public var serverBroadcastBurstBytes: Double = 200_000_000
    /// Open TCP connections in all; capped below the open-file limit so accepting never fails. Default 16,384.
    public var maxConnections = 16_384
    /// Open TCP connections from one IP address (0: no limit). Default 64.
    public var maxConnectionsPerAddress = 64
    /// Seconds a connection may take to become a WebSocket (TLS, HTTP request, upgrade); plain HTTP requests
    /// are answered within it too. Default 5.
    public var upgradeTimeoutSeconds = 5.0
    /// Public chat lines kept in memory and sent to each user who logs in (`history`). Default 100; 0 keeps none.
    public var historyLines = 100
    /// When set, only clients presenting one of these tokens in their `username` message log in.
    public var accessTokens: AccessTokens?
    /// Bytes waiting for a slow client before it is disconnected. Default 4 MiB.
    public var maxPendingBytesPerClient = 4 << 20
    /// Shortest wait before a user-list broadcast, so a burst of logins costs one broadcast. Default 5 ms.
    public var userListCoalesceMs = 5
    /// Bytes per second the user-list broadcaster may spend, which stretches the wait when many
    /// users each need a long list. Default 400 MB/s.
    public var userListBytesPerSecond: Double = 400_000_000
    /// PEM certificate and key for wss:// (both or neither).
    public var tlsCertificatePath: String?
    public var tlsKeyPath: String?
    /// Extra static files served over HTTP by path (the web client), e.g. "/" -> (type, bytes).
    public var staticFiles: [String: StaticFile] = [:]

    public init() {}
}

/// A file the server answers plain HTTP GETs with.
public struct StaticFile: Sendable {
    public var contentType: String
    public var body: [UInt8]
    public init(contentType: String, body: [UInt8]) { self.contentType = contentType; self.body = body }
}
