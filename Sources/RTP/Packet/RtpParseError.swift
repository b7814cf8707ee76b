/// Why bytes are not a valid RTP or RTCP packet (or payload); parsers throw this instead of crashing.
package enum RtpParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer bytes than the named field needs.
    case truncated(what: String, need: Int, have: Int)
    /// The version bits are not 2.
    case badVersion(Int)
    /// A length, count or padding field contradicts the packet size.
    case malformed(String)

    package var description: String {
        switch self {
        case let .truncated(what, need, have):
            return "RTP/RTCP packet truncated: \(what) needs \(need) bytes, \(have) left (packet cut short or not RTP)"
        case let .badVersion(v):
            return "RTP/RTCP version \(v), expected 2 (not an RTP packet: check demultiplexing)"
        case let .malformed(why):
            return "malformed RTP/RTCP packet: \(why)"
        }
    }
}
