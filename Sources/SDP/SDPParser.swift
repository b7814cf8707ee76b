extension SessionDescription {
    /// Parses SDP text (CRLF or LF). Never traps: any malformed line throws an `SDPError` naming it.
    package static func parse(_ text: String) throws -> SessionDescription {
        var parser = SDPParser()
        return try parser.parse(text)
    }
}

/// Line-by-line SDP reader; unknown attributes and line types are kept, malformed known ones are errors.
struct SDPParser {
    private var lineNumber = 0
    private var line = ""

    private func fail(_ reason: String) -> SDPError { SDPError(lineNumber: lineNumber, line: line, reason: reason) }

    mutating func parse(_ text: String) throws -> SessionDescription {
        guard text.utf8.count <= SessionDescription.maximumLength else {
            throw SDPError(lineNumber: nil, line: String(text.prefix(SDPError.maximumExcerptLength)),
                           reason: "SDP is larger than \(SessionDescription.maximumLength) bytes")
        }
        // Split on bytes: "\r\n" is one Character in Swift, and byte splitting is ~10x faster than scalars.
        let rawLines = text.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
        var session: SessionDescription?
        var sawVersion = false
        var current: MediaDescription?
        for raw in rawLines {
            lineNumber += 1
            let bytes = raw.last == 0x0D ? raw.dropLast() : raw[...]
            line = String(Substring(bytes))
            if bytes.isEmpty { continue }
            guard bytes.count >= 2, let letter = bytes.first, bytes[bytes.index(after: bytes.startIndex)] == 0x3D,
                  (letter >= 0x61 && letter <= 0x7A) || (letter >= 0x41 && letter <= 0x5A) else {
                throw fail("expected \"<letter>=<value>\"")
            }
            let value = String(Substring(bytes.dropFirst(2)))
            let type = Unicode.Scalar(letter)
            if !sawVersion {
                guard type == "v", value == "0" else { throw fail("SDP must start with \"v=0\"") }
                sawVersion = true
                continue
            }
            switch type {
            case "v":
                throw fail("duplicate v= line")
            case "o":
                guard session == nil, current == nil else { throw fail("unexpected o= line") }
                session = SessionDescription(origin: try parseOrigin(value))
            case "m":
                guard var description = session else { throw fail("m= line before the o= line") }
                if let finished = current { description.media.append(finished) }
                session = description
                current = try parseMediaLine(value)
            default:
                guard session != nil else { throw fail("the o= line must come right after v=0") }
                if current != nil {
                    try parseMediaLine(type: type, value: value, into: &current!)
                } else {
                    try parseSessionLine(type: type, value: value, into: &session!)
                }
            }
        }
        guard var description = session else {
            let reason = sawVersion ? "SDP has no o= line" : "SDP is empty; it must start with \"v=0\""
            throw SDPError(lineNumber: max(lineNumber, 1), line: line, reason: reason)
        }
        if let finished = current { description.media.append(finished) }
        return description
    }

    private func parseOrigin(_ value: String) throws -> SDPOrigin {
        let parts = value.split(separator: " ")
        guard parts.count == 6 else { throw fail("o= needs 6 fields: username sess-id sess-version nettype addrtype address") }
        guard parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw fail("o= session id must be digits")
        }
        guard let version = UInt64(parts[2]) else { throw fail("o= session version must be a 64-bit number") }
        return SDPOrigin(username: String(parts[0]), sessionId: String(parts[1]), sessionVersion: version,
                         networkType: String(parts[3]), addressType: String(parts[4]), address: String(parts[5]))
    }

    private func parseMediaLine(_ value: String) throws -> MediaDescription {
        let parts = value.split(separator: " ")
        guard parts.count >= 4 else { throw fail("m= needs: media port proto format...") }
        let portParts = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard portParts.count <= 2, let port = UInt16(portParts[0]) else { throw fail("m= port must be 0...65535") }
        var section = MediaDescription(kind: MediaKind(rawValue: String(parts[0])), port: port,
                                       proto: String(parts[2]), formats: parts.dropFirst(3).map(String.init))
        if portParts.count == 2 {
            guard let count = UInt16(portParts[1]) else { throw fail("m= port count must be a number") }
            section.portCount = count
        }
        return section
    }

    private func parseSessionLine(type: Unicode.Scalar, value: String, into session: inout SessionDescription) throws {
        switch type {
        case "s": session.sessionName = value
        case "t": session.timing = value
        case "c": session.connection = value
        case "a": break
        default:
            session.otherLines.append(line)
            return
        }
        guard type == "a" else { return }
        let attribute = SDPAttribute(line: Substring(value))
        switch attribute.name {
        case "group":
            let parts = try required(attribute).split(separator: " ")
            guard let semantics = parts.first else { throw fail("a=group needs semantics and mids") }
            session.groups.append(SDPGroup(semantics: String(semantics), mids: parts.dropFirst().map(String.init)))
        case "extmap-allow-mixed": session.extmapAllowMixed = true
        case "msid-semantic":
            let parts = try required(attribute).split(separator: " ")
            guard let semantic = parts.first else { throw fail("a=msid-semantic needs a semantic") }
            session.msidSemantic = MsidSemantic(semantic: String(semantic), streamIds: parts.dropFirst().map(String.init))
        case "ice-lite": session.iceLite = true
        case "ice-ufrag": session.iceUfrag = try required(attribute)
        case "ice-pwd": session.icePwd = try required(attribute)
        case "ice-options": session.iceOptions = try required(attribute).split(separator: " ").map(String.init)
        case "fingerprint": session.fingerprints.append(try fingerprint(attribute))
        case "setup": session.setup = try setup(attribute)
        default: session.otherAttributes.append(attribute)
        }
    }

    private func parseMediaLine(type: Unicode.Scalar, value: String, into section: inout MediaDescription) throws {
        switch type {
        case "c":
            section.connection = value
            return
        case "a": break
        default:
            section.otherLines.append(line)
            return
        }
        let attribute = SDPAttribute(line: Substring(value))
        switch attribute.name {
        case "mid":
            guard section.mid == nil else { throw fail("duplicate a=mid in one media section") }
            section.mid = try required(attribute)
        case "sendrecv", "sendonly", "recvonly", "inactive":
            guard attribute.value == nil else { throw fail("a=\(attribute.name) takes no value") }
            section.direction = MediaDirection(rawValue: attribute.name)
        case "msid": section.msids.append(try parsed(attribute, Msid.init(attributeValue:), "stream-id [track-id]"))
        case "rtcp": section.rtcp = try required(attribute)
        case "rtcp-mux": section.rtcpMux = true
        case "rtcp-rsize": section.rtcpRsize = true
        case "bundle-only": section.bundleOnly = true
        case "rtpmap":
            section.rtpMaps.append(try parsed(attribute, RtpMap.init(attributeValue:), "<pt 0-127> <name>/<rate>[/<channels>]"))
        case "fmtp": section.fmtps.append(try parsed(attribute, Fmtp.init(attributeValue:), "<pt 0-127> <parameters>"))
        case "rtcp-fb":
            section.rtcpFeedback.append(try parsed(attribute, RtcpFeedback.init(attributeValue:), "<pt|*> <type> [<param>]"))
        case "extmap":
            section.extmaps.append(try parsed(attribute, HeaderExtensionMap.init(attributeValue:),
                                              "<id 1-255>[/<direction>] <uri> [<attributes>]"))
        case "ssrc": section.ssrcs.append(try parsed(attribute, SsrcAttribute.init(attributeValue:), "<ssrc> <attribute>[:<value>]"))
        case "ssrc-group":
            section.ssrcGroups.append(try parsed(attribute, SsrcGroup.init(attributeValue:), "<semantics> <ssrc>..."))
        case "ice-ufrag": section.iceUfrag = try required(attribute)
        case "ice-pwd": section.icePwd = try required(attribute)
        case "ice-options": section.iceOptions = try required(attribute).split(separator: " ").map(String.init)
        case "fingerprint": section.fingerprints.append(try fingerprint(attribute))
        case "setup": section.setup = try setup(attribute)
        case "candidate":
            do {
                section.candidates.append(try IceCandidate(parsing: value))
            } catch let error as SDPError {
                throw fail(error.reason)
            }
        case "end-of-candidates": section.endOfCandidates = true
        default: section.otherAttributes.append(attribute)
        }
    }

    private func required(_ attribute: SDPAttribute) throws -> String {
        guard let value = attribute.value, !value.isEmpty else { throw fail("a=\(attribute.name) needs a value") }
        return value
    }

    private func parsed<T>(_ attribute: SDPAttribute, _ make: (String) -> T?, _ syntax: String) throws -> T {
        guard let result = make(try required(attribute)) else {
            throw fail("malformed a=\(attribute.name), expected \(syntax)")
        }
        return result
    }

    private func fingerprint(_ attribute: SDPAttribute) throws -> DtlsFingerprint {
        try parsed(attribute, DtlsFingerprint.init(attributeValue:), "<hash> XX:XX:... with the hash's digest length")
    }

    private func setup(_ attribute: SDPAttribute) throws -> SetupAttribute {
        try parsed(attribute, SetupAttribute.init(rawValue:), "actpass, active, passive or holdconn")
    }
}
