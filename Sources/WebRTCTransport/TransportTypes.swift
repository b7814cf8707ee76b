/// Combined ICE + DTLS state, like RTCPeerConnection.connectionState. `disconnected`: DTLS-SRTP is up but
/// the ICE path was lost; an ICE restart can bring it back to `connected` with the same keys.
package enum TransportState: String, Sendable {
    case new, connecting, connected, disconnected, failed, closed
}

/// What a `DtlsSrtpTransport` reports, on its network thread.
package enum TransportEvent: Sendable, Equatable {
    /// A local candidate in browser form ("candidate:..."), to trickle to the peer.
    case localCandidate(String)
    /// Local gathering finished (end-of-candidates).
    case gatheringComplete
    case state(TransportState)
    /// The nominated ICE pair (diagnostics).
    case selectedPair(local: String, remote: String)
}

/// Packet counters of one transport. Bytes are on-the-wire (encrypted) sizes.
package struct TransportStats: Sendable, Equatable {
    package var rtpPacketsSent = 0
    package var rtpBytesSent = 0
    package var rtcpPacketsSent = 0
    package var rtcpBytesSent = 0
    package var rtpPacketsReceived = 0
    package var rtpBytesReceived = 0
    package var rtcpPacketsReceived = 0
    package var rtcpBytesReceived = 0
    /// Media that arrived before SRTP keys existed (or after failure) and was dropped.
    package var droppedWithoutKeys = 0
    /// Datagrams whose first byte matches no RFC 7983 range.
    package var unknownDatagrams = 0
    /// libsrtp counters, including replay and authentication drops.
    package var srtp = SrtpStats()
    package init() {}
}

/// Callbacks of a transport; all run on its network thread, so they must hand work off quickly.
package struct TransportHandlers: Sendable {
    package var onEvent: @Sendable (TransportEvent) -> Void
    /// A decrypted, authenticated RTP packet.
    package var onRtp: @Sendable ([UInt8]) -> Void
    /// A decrypted, authenticated RTCP compound packet.
    package var onRtcp: @Sendable ([UInt8]) -> Void

    package init(onEvent: @escaping @Sendable (TransportEvent) -> Void = { _ in },
                onRtp: @escaping @Sendable ([UInt8]) -> Void = { _ in },
                onRtcp: @escaping @Sendable ([UInt8]) -> Void = { _ in }) {
        self.onEvent = onEvent
        self.onRtp = onRtp
        self.onRtcp = onRtcp
    }
}
