import Foundation

/// One entry of RTCPeerConnection's `iceServers`: STUN or TURN URLs with optional credentials.
public struct IceServer: Sendable, Equatable {
    /// `stun:host[:port]`, `turn:host[:port][?transport=udp|tcp]` (turns: is not supported).
    public var urls: [String]
    /// TURN username.
    public var username: String?
    /// TURN password.
    public var credential: String?

    /// Creates a server entry; STUN servers need no credentials.
    public init(urls: [String], username: String? = nil, credential: String? = nil) {
        self.urls = urls
        self.username = username
        self.credential = credential
    }
}

/// A parsed `stun:`/`turn:` URL (RFC 7064 / RFC 7065).
package struct IceServerURL: Sendable, Equatable {
    /// STUN (server-reflexive candidates) or TURN (relayed candidates).
    package enum Kind: Sendable { case stun, turn }
    /// Default port of both schemes without TLS.
    package static let defaultPort: UInt16 = 3478

    /// How we reach a TURN server: UDP (the default), or TCP where a firewall lets only TCP out
    /// (the relayed candidates are UDP on the server's side either way).
    package enum Transport: Sendable { case udp, tcp }

    package var kind: Kind
    package var host: String
    package var port: UInt16
    package var transport: Transport

    /// Parses one URL; throws for `turns:`, STUN over TCP and malformed input.
    package init(parsing url: String) throws {
        let parts = url.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw TransportError.badIceServerURL(url, "missing scheme") }
        switch parts[0].lowercased() {
        case "stun": kind = .stun
        case "turn": kind = .turn
        default: throw TransportError.badIceServerURL(url, "only stun: and turn: over UDP or TCP are supported")
        }
        var rest = Substring(parts[1])
        transport = .udp
        if let q = rest.firstIndex(of: "?") {
            for item in rest[rest.index(after: q)...].lowercased().split(separator: "&") {
                switch item {
                case "transport=udp": transport = .udp
                case "transport=tcp" where kind == .turn: transport = .tcp
                case "transport=tcp": throw TransportError.badIceServerURL(url, "STUN over TCP is not supported")
                default: throw TransportError.badIceServerURL(url, "unknown parameter \(item) (only transport=udp|tcp)")
                }
            }
            rest = rest[..<q]
        }
        if rest.hasPrefix("[") {  // [IPv6]:port
            guard let close = rest.firstIndex(of: "]") else { throw TransportError.badIceServerURL(url, "unclosed [") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            port = after.hasPrefix(":") ? UInt16(after.dropFirst()) ?? 0 : Self.defaultPort
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = UInt16(rest[rest.index(after: colon)...]) ?? 0
        } else {
            host = String(rest)
            port = Self.defaultPort
        }
        guard !host.isEmpty, port != 0 else { throw TransportError.badIceServerURL(url, "bad host or port") }
    }
}

/// How an ICE agent gathers and checks candidates. Defaults follow Chromium/libwebrtc where they matter.
public struct IceConfiguration: Sendable {
    /// First STUN retransmission timeout: libnice's 3 s default makes setup slow on lossy paths.
    public static let defaultStunInitialTimeoutMs: UInt32 = 500
    /// Connectivity checks that have not connected by then report `failed` (browsers wait ~30 s too).
    public static let defaultConnectTimeoutMs: UInt32 = 30_000

    /// STUN/TURN servers (RTCConfiguration.iceServers).
    public var servers: [IceServer]
    /// Local IP addresses to gather host candidates on; empty means every interface except loopback.
    public var localAddresses: [String]
    /// Only relayed candidates are gathered, signalled and used (iceTransportPolicy "relay").
    public var relayOnly: Bool
    /// See `defaultStunInitialTimeoutMs`.
    public var stunInitialTimeoutMs: UInt32
    /// RFC 7675 consent freshness: a peer that stops answering for ~30 s makes the state `failed`.
    public var consentFreshness: Bool
    /// See `defaultConnectTimeoutMs`.
    public var connectTimeoutMs: UInt32
    /// As the controlling agent, nominate with every check (RFC 5245 aggressive nomination): the first pair
    /// that works carries DTLS and media at once. Regular nomination waits for an extra nominating check,
    /// which cost 30–50 ms of every call's setup against Chromium (`tuicall bench browser`), and browsers,
    /// aiortc and libnice as the controlled side all accept either. Default true.
    public var aggressiveNomination: Bool

    /// Creates a configuration; the defaults gather on all non-loopback interfaces with no servers.
    public init(servers: [IceServer] = [], localAddresses: [String] = [], relayOnly: Bool = false,
                stunInitialTimeoutMs: UInt32 = Self.defaultStunInitialTimeoutMs,
                consentFreshness: Bool = true, connectTimeoutMs: UInt32 = Self.defaultConnectTimeoutMs,
                aggressiveNomination: Bool = true) {
        self.servers = servers
        self.localAddresses = localAddresses
        self.relayOnly = relayOnly
        self.stunInitialTimeoutMs = stunInitialTimeoutMs
        self.consentFreshness = consentFreshness
        self.connectTimeoutMs = connectTimeoutMs
        self.aggressiveNomination = aggressiveNomination
    }

    /// Loopback only (tests, benchmarks): fast gathering and no traffic leaves the machine.
    public static var loopback: IceConfiguration { IceConfiguration(localAddresses: ["127.0.0.1"]) }
}

/// Errors of the transport layer; each names what failed and, when there is one, the remedy.
public enum TransportError: Error, Equatable, CustomStringConvertible {
    case badIceServerURL(String, String)
    case unresolvableHost(String)
    case iceAgent(String)
    case dtls(String)
    case srtp(String)
    case notConnected

    public var description: String {
        switch self {
        case let .badIceServerURL(url, why): "ICE server URL \"\(url)\": \(why)"
        case let .unresolvableHost(host): "cannot resolve \"\(host)\": check the ICE server name or use its IP address"
        case let .iceAgent(why): "ICE agent: \(why)"
        case let .dtls(why): "DTLS: \(why)"
        case let .srtp(why): "SRTP: \(why)"
        case .notConnected: "the transport is not connected yet (wait for the connected state)"
        }
    }
}

/// Resolves a host name to one numeric IPv4/IPv6 address with getaddrinfo (blocking).
func resolveNumericAddress(_ host: String) -> String? {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
    var result: UnsafeMutablePointer<addrinfo>?
    guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
    defer { freeaddrinfo(result) }
    var buf = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    guard getnameinfo(first.pointee.ai_addr, first.pointee.ai_addrlen, &buf, socklen_t(buf.count),
                      nil, 0, NI_NUMERICHOST) == 0 else { return nil }
    return buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}
