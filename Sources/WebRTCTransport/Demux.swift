/// What a datagram on the bundled 5-tuple carries, by RFC 7983 first-byte ranges
/// (and RFC 5761 section 4 for RTCP: payload types 192-223 in the second byte).
package enum DatagramKind: Sendable, Equatable {
    case stun, dtls, rtp, rtcp, unknown

    /// Classifies one datagram; never traps on short or empty input.
    package init(classifying datagram: UnsafeRawBufferPointer) {
        guard let first = datagram.first else { self = .unknown; return }
        switch first {
        case 0...3: self = .stun
        case 20...63: self = .dtls
        case 128...191:
            guard datagram.count >= 2 else { self = .unknown; return }
            self = (192...223).contains(datagram[1]) ? .rtcp : .rtp
        default: self = .unknown
        }
    }

    /// Convenience for byte arrays.
    package init(classifying bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { DatagramKind(classifying: $0) }
    }
}
