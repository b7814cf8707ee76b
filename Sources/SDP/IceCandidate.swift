/// RFC 8839 `candidate:` attribute as a value the ICE layer can use, from SDP or a trickled `new-ice-candidate`.
///
/// Chromium's extensions (generation, ufrag, network-id, network-cost) are kept; unknown ones are kept in
/// `extensions` so a round trip loses nothing.
package struct IceCandidate: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Transport protocol of the candidate.
    package enum Transport: Sendable, Equatable, Hashable {
        case udp, tcp
        /// Any other token (e.g. "ssltcp"), as written.
        case other(String)

        init(token: Substring) {
            switch token.lowercased() {
            case "udp": self = .udp
            case "tcp": self = .tcp
            default: self = .other(String(token))
            }
        }

        var token: String {
            switch self {
            case .udp: return "udp"
            case .tcp: return "tcp"
            case .other(let value): return value
            }
        }
    }

    /// Candidate type (`typ`).
    package enum Kind: Sendable, Equatable, Hashable {
        case host, srflx, prflx, relay
        /// A type token this code does not know, as written.
        case other(String)

        init(token: Substring) {
            switch token {
            case "host": self = .host
            case "srflx": self = .srflx
            case "prflx": self = .prflx
            case "relay": self = .relay
            default: self = .other(String(token))
            }
        }

        var token: String {
            switch self {
            case .host: return "host"
            case .srflx: return "srflx"
            case .prflx: return "prflx"
            case .relay: return "relay"
            case .other(let value): return value
            }
        }
    }

    /// RFC 6544 `tcptype`.
    package enum TcpType: String, Sendable, Equatable, Hashable {
        case active, passive, so
    }

    /// An extension attribute this type does not model, kept as written.
    package struct Extension: Sendable, Equatable, Hashable {
        /// Attribute name.
        package var name: String
        /// Attribute value.
        package var value: String
        package init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Groups candidates from the same base and server (for frozen-candidate logic).
    package var foundation: String
    /// 1 = RTP (the only one with rtcp-mux), 2 = RTCP.
    package var component: UInt16
    /// udp, tcp, or another token.
    package var transport: Transport
    /// RFC 8445 priority.
    package var priority: UInt32
    /// IP address or, for mDNS-obfuscated host candidates, a `<uuid>.local` hostname.
    package var address: String
    /// Port (9 for TCP active candidates, which do not listen).
    package var port: UInt16
    /// host, srflx, prflx or relay.
    package var kind: Kind
    /// `raddr`: base address of a reflexive or relayed candidate (0.0.0.0 when hidden).
    package var relatedAddress: String?
    /// `rport`: base port.
    package var relatedPort: UInt16?
    /// `tcptype` of a TCP candidate.
    package var tcpType: TcpType?
    /// Chromium's ICE generation (0 until a restart).
    package var generation: UInt32?
    /// ICE username fragment this candidate belongs to (Chromium adds it; used to drop stale candidates after restart).
    package var ufrag: String?
    /// Chromium's network interface id.
    package var networkId: UInt32?
    /// Chromium's network cost (999 = cellular-like, 10 = wired).
    package var networkCost: UInt32?
    /// Unknown extension attributes, in order.
    package var extensions: [Extension]

    /// Creates a candidate from its fields.
    package init(foundation: String, component: UInt16 = 1, transport: Transport = .udp, priority: UInt32,
                address: String, port: UInt16, kind: Kind = .host, relatedAddress: String? = nil,
                relatedPort: UInt16? = nil, tcpType: TcpType? = nil, generation: UInt32? = nil,
                ufrag: String? = nil, networkId: UInt32? = nil, networkCost: UInt32? = nil,
                extensions: [Extension] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.kind = kind
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.generation = generation
        self.ufrag = ufrag
        self.networkId = networkId
        self.networkCost = networkCost
        self.extensions = extensions
    }

    /// Parses "candidate:842163049 1 udp 1677729535 203.0.113.5 46154 typ srflx raddr ...";
    /// the "a=" and "candidate:" prefixes are optional. Throws an `SDPError` (without line number) on bad input.
    package init(parsing text: String) throws {
        func fail(_ reason: String) -> SDPError { SDPError(lineNumber: nil, line: text, reason: reason) }
        var body = Substring(text)
        if body.hasPrefix("a=") { body = body.dropFirst(2) }
        if body.hasPrefix("candidate:") { body = body.dropFirst("candidate:".count) }
        let tokens = body.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" })
        guard tokens.count >= 8 else { throw fail("a candidate needs at least 8 fields (foundation ... typ <type>)") }
        guard let component = UInt16(tokens[1]), component >= 1, component <= 256 else {
            throw fail("component id must be 1...256")
        }
        guard let priority = UInt32(tokens[3]) else { throw fail("priority must be a 32-bit unsigned number") }
        guard let port = UInt16(tokens[5]) else { throw fail("port must be 0...65535") }
        guard tokens[6] == "typ" else { throw fail("expected \"typ\" after the port") }
        self.init(foundation: String(tokens[0]), component: component, transport: Transport(token: tokens[2]),
                  priority: priority, address: String(tokens[4]), port: port, kind: Kind(token: tokens[7]))
        let rest = tokens.dropFirst(8)
        guard rest.count % 2 == 0 else { throw fail("extension attribute \"\(rest.last ?? "")\" has no value") }
        var index = rest.startIndex
        while index < rest.endIndex {
            let name = rest[index], value = rest[index + 1]
            index += 2
            switch name {
            case "raddr": relatedAddress = String(value)
            case "rport":
                guard let number = UInt16(value) else { throw fail("rport must be 0...65535") }
                relatedPort = number
            case "tcptype":
                guard let type = TcpType(rawValue: String(value)) else { throw fail("tcptype must be active, passive or so") }
                tcpType = type
            case "generation":
                guard let number = UInt32(value) else { throw fail("generation must be a number") }
                generation = number
            case "ufrag": ufrag = String(value)
            case "network-id":
                guard let number = UInt32(value) else { throw fail("network-id must be a number") }
                networkId = number
            case "network-cost":
                guard let number = UInt32(value) else { throw fail("network-cost must be a number") }
                networkCost = number
            default: extensions.append(Extension(name: String(name), value: String(value)))
            }
        }
    }

    /// The attribute value, "candidate:..." (no "a=" prefix), as sent in `new-ice-candidate`.
    package var attributeValue: String {
        var parts = ["candidate:\(foundation)", String(component), transport.token, String(priority), address,
                     String(port), "typ", kind.token]
        if let relatedAddress { parts += ["raddr", relatedAddress] }
        if let relatedPort { parts += ["rport", String(relatedPort)] }
        if let tcpType { parts += ["tcptype", tcpType.rawValue] }
        if let generation { parts += ["generation", String(generation)] }
        if let ufrag { parts += ["ufrag", ufrag] }
        if let networkId { parts += ["network-id", String(networkId)] }
        if let networkCost { parts += ["network-cost", String(networkCost)] }
        for item in extensions { parts += [item.name, item.value] }
        return parts.joined(separator: " ")
    }

    package var description: String { attributeValue }

    /// True for TCP candidates (the ICE layer skips them: we do UDP only).
    package var isTCP: Bool { transport == .tcp }
    /// True when the address is an mDNS hostname (`<uuid>.local`) that must be resolved before use, or skipped.
    package var isMDNS: Bool { address.lowercased().hasSuffix(".local") }
    /// True when the address is an IPv6 literal.
    package var isIPv6: Bool { !isMDNS && address.contains(":") }
}
