/// RFC 4145 / 5763 `a=setup` attribute: who starts the DTLS handshake.
package enum SetupAttribute: String, Sendable, Equatable, Hashable, CaseIterable {
    case actpass, active, passive, holdconn

    /// The DTLS role the writer of this attribute takes, if it is settled (nil for actpass/holdconn).
    package var role: DtlsRole? {
        switch self {
        case .active: return .client
        case .passive: return .server
        case .actpass, .holdconn: return nil
        }
    }
}

/// Our side of the DTLS handshake as negotiated in SDP (active = client, passive = server): the
/// client sends the ClientHello.
package enum DtlsRole: String, Sendable, Equatable, Hashable {
    case client, server

    /// The `a=setup` value announcing this role.
    package var setup: SetupAttribute { self == .client ? .active : .passive }
    /// The peer's role.
    package var opposite: DtlsRole { self == .client ? .server : .client }
}
