/// RFC 5576 `a=ssrc:<ssrc> <attribute>[:<value>]`, e.g. "3987376866 cname:kAoW...".
package struct SsrcAttribute: Sendable, Equatable, Hashable {
    /// The SSRC described.
    package var ssrc: UInt32
    /// Attribute name, e.g. "cname" or "msid".
    package var name: String
    /// Attribute value, if any.
    package var value: String?

    package init(ssrc: UInt32, name: String, value: String? = nil) {
        self.ssrc = ssrc
        self.name = name
        self.value = value
    }

    init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let ssrc = UInt32(parts[0]) else { return nil }
        let attribute = SDPAttribute(line: parts[1])
        guard !attribute.name.isEmpty else { return nil }
        self.init(ssrc: ssrc, name: attribute.name, value: attribute.value)
    }

    var serializedValue: String { "\(ssrc) " + (value.map { "\(name):\($0)" } ?? name) }
}

/// `a=ssrc-group:<semantics> <ssrc> ...`; FID pairs a primary SSRC with its RTX SSRC.
package struct SsrcGroup: Sendable, Equatable, Hashable {
    /// "FID" (RTX), "FEC-FR", "SIM", ...
    package var semantics: String
    /// Member SSRCs in order (FID: primary first).
    package var ssrcs: [UInt32]

    package init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var ssrcs: [UInt32] = []
        for part in parts.dropFirst() {
            guard let ssrc = UInt32(part) else { return nil }
            ssrcs.append(ssrc)
        }
        self.init(semantics: String(parts[0]), ssrcs: ssrcs)
    }

    var value: String { ([semantics] + ssrcs.map { String($0) }).joined(separator: " ") }
}

/// RFC 8830 `a=msid:<stream id> [<track id>]`.
package struct Msid: Sendable, Equatable, Hashable {
    /// MediaStream id.
    package var streamId: String
    /// MediaStreamTrack id.
    package var trackId: String?

    package init(streamId: String, trackId: String? = nil) {
        self.streamId = streamId
        self.trackId = trackId
    }

    init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ")
        guard parts.count == 1 || parts.count == 2 else { return nil }
        self.init(streamId: String(parts[0]), trackId: parts.count == 2 ? String(parts[1]) : nil)
    }

    var value: String { streamId + (trackId.map { " \($0)" } ?? "") }
}
