/// A generic `a=name[:value]` line, used for attributes this module does not model (kept for round trips).
package struct SDPAttribute: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Attribute name (before the first colon).
    package var name: String
    /// nil for flag attributes such as `a=rtcp-mux`.
    package var value: String?

    package init(name: String, value: String? = nil) {
        self.name = name
        self.value = value
    }

    /// Splits the text after "a=" at the first colon.
    package init(line body: Substring) {
        if let colon = body.firstIndex(of: ":") {
            name = String(body[..<colon])
            value = String(body[body.index(after: colon)...])
        } else {
            name = String(body)
            value = nil
        }
    }

    /// The line without CRLF: "a=name:value".
    package var line: String { value.map { "a=\(name):\($0)" } ?? "a=\(name)" }
    package var description: String { line }
}

/// `o=` line: who made the description and its version (must grow with each new local description).
package struct SDPOrigin: Sendable, Equatable, Hashable {
    /// "-" in browsers.
    package var username: String
    /// Kept as text: RFC 4566 allows any digits and some stacks exceed 64 bits.
    package var sessionId: String
    /// Grows by one with each new description from the same side.
    package var sessionVersion: UInt64
    /// "IN".
    package var networkType: String
    /// "IP4" or "IP6".
    package var addressType: String
    /// Unused by WebRTC (127.0.0.1 in browsers).
    package var address: String

    /// Chromium's style origin: "- <id> <version> IN IP4 127.0.0.1".
    package init(username: String = "-", sessionId: String, sessionVersion: UInt64, networkType: String = "IN",
                addressType: String = "IP4", address: String = "127.0.0.1") {
        self.username = username
        self.sessionId = sessionId
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    var value: String { "\(username) \(sessionId) \(sessionVersion) \(networkType) \(addressType) \(address)" }
}

/// `a=group:<semantics> <mid> ...`, e.g. BUNDLE.
package struct SDPGroup: Sendable, Equatable, Hashable {
    /// "BUNDLE", "LS", ...
    package var semantics: String
    /// Member mids in order.
    package var mids: [String]

    package init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    var value: String { ([semantics] + mids).joined(separator: " ") }
}

/// `a=msid-semantic: WMS <stream id> ...` (Chromium still writes it; it carries no negotiation meaning).
package struct MsidSemantic: Sendable, Equatable, Hashable {
    /// "WMS".
    package var semantic: String
    /// Stream ids listed after the semantic.
    package var streamIds: [String]

    package init(semantic: String = "WMS", streamIds: [String] = []) {
        self.semantic = semantic
        self.streamIds = streamIds
    }

    /// Chromium's spelling, with a space after the colon.
    var value: String { ([" " + semantic] + streamIds).joined(separator: " ") }
}
