/// RFC 3264 media direction attribute (`a=sendrecv` ...), always from the point of view of the side that wrote it.
package enum MediaDirection: String, Sendable, Equatable, Hashable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// Builds the direction that sends and/or receives.
    package init(send: Bool, receive: Bool) {
        switch (send, receive) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// True if this side sends media.
    package var sends: Bool { self == .sendrecv || self == .sendonly }
    /// True if this side receives media.
    package var receives: Bool { self == .sendrecv || self == .recvonly }

    /// The same direction seen from the other side (sendonly <-> recvonly).
    package var reversed: MediaDirection { MediaDirection(send: receives, receive: sends) }

    /// What both directions allow.
    package func intersection(_ other: MediaDirection) -> MediaDirection {
        MediaDirection(send: sends && other.sends, receive: receives && other.receives)
    }
}
