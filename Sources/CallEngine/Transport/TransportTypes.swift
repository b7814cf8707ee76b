/// Combined ICE + DTLS state, like RTCPeerConnection.connectionState.
public enum TransportState: String, Sendable {
    case new, connecting, connected, failed, closed
}

/// What a `DtlsSrtpTransport` reports, on its network thread.
public enum TransportEvent: Sendable, Equatable {
    /// A local candidate in browser form ("candidate:..."), to trickle to the peer.
    case localCandidate(String)
    /// Local gathering finished (end-of-candidates).
    case gatheringComplete
    case state(TransportState)
    /// The nominated ICE pair (diagnostics).
    case selectedPair(local: String, remote: String)
}

/// Packet counters of one transport. Bytes are on-the-wire (encrypted) sizes.
public struct TransportStats: Sendable, Equatable {
    public var rtpPacketsSent = 0
    public var rtpBytesSent = 0
    public var rtcpPacketsSent = 0
    public var rtcpBytesSent = 0
    public var rtpPacketsReceived = 0
    public var rtpBytesReceived = 0
    public var rtcpPacketsReceived = 0
    public var rtcpBytesReceived = 0
    /// Media that arrived before SRTP keys existed (or after failure) and was dropped.
    public var droppedWithoutKeys = 0
    /// Datagrams whose first byte matches no RFC 7983 range.
    public var unknownDatagrams = 0
    /// libsrtp counters, including replay and authentication drops.
    public var srtp = SrtpStats()
    public init() {}
}

/// Callbacks of a transport; all run on its network thread, so they must hand work off quickly.
public struct TransportHandlers: Sendable {
    public var onEvent: @Sendable (TransportEvent) -> Void
    /// A decrypted, authenticated RTP packet.
    public var onRtp: @Sendable ([UInt8]) -> Void
    /// A decrypted, authenticated RTCP compound packet.
    public var onRtcp: @Sendable ([UInt8]) -> Void

    public init(onEvent: @escaping @Sendable (TransportEvent) -> Void = { _ in },
                onRtp: @escaping @Sendable ([UInt8]) -> Void = { _ in },
                onRtcp: @escaping @Sendable ([UInt8]) -> Void = { _ in }) {
        self.onEvent = onEvent
        self.onRtp = onRtp
        self.onRtcp = onRtcp
    }
}
