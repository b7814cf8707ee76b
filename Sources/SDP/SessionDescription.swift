// SDP for WebRTC (Unified Plan, as Chromium writes it) and offer/answer negotiation. Pure Swift, value types.
//
// Public API (stable; other CallEngine parts build on it):
//   SessionDescription.parse(_ text: String) throws(SDPError-bearing) -> SessionDescription
//   SessionDescription.serialized() -> String                 CRLF, Chromium attribute order
//     .origin: SDPOrigin, .groups: [SDPGroup], .bundleGroup, .media: [MediaDescription], .media(mid:)
//     .iceUfrag/.icePwd/.fingerprints/.setup (session level; per-section values win: .iceUfrag(forMediaAt:) ...)
//   MediaDescription: kind (MediaKind), port, proto, formats, mid, direction/effectiveDirection, msids,
//     rtpMaps, fmtps, rtcpFeedback, extmaps, ssrcs, ssrcGroups, iceUfrag/icePwd/iceOptions, fingerprints,
//     setup, candidates: [IceCandidate], endOfCandidates, rtcpMux, rtcpRsize, bundleOnly, isRejected,
//     codecs: [RtpCodec], codec(payloadType:), extensionId(uri:), primarySsrc, fidGroup, cname
//   IceCandidate(parsing: "candidate:...") throws; .attributeValue; .isTCP, .isMDNS, .isIPv6
//   DtlsFingerprint(attributeValue: "sha-256 AB:..")?; .matches(_:), .matches(digest:)
//   SetupAttribute (actpass/active/passive/holdconn), DtlsRole (client/server; raw values = Transport DtlsRole)
//   Negotiation.offer(local:previous:) -> SessionDescription                    we call a browser
//   Negotiation.apply(answer:to:previous:) throws -> NegotiatedSession          its answer to our offer
//   Negotiation.answer(to:local:previous:) throws -> (SessionDescription, NegotiatedSession)   we answer
//   LocalCapabilities: ICE ufrag/pwd, fingerprint, sessionId, cname, audio/video LocalTrack, receive flags
//   NegotiatedSession: .media: [NegotiatedMedia] (per mid: kind, direction, payloadType, rtxPayloadType,
//     clockRate, channels, fmtp, feedback, midExtensionId, absSendTimeExtensionId, remote/local SSRCs),
//     .transport: NegotiatedTransport (local/remote ICE credentials, remote fingerprints, localRole,
//     remote candidates), .bundleMids, .media(mid:)
//   Errors: SDPError (line number + truncated line + reason), NegotiationError (mid + reason).

/// A whole SDP offer or answer.
package struct SessionDescription: Sendable, Equatable {
    /// Largest SDP text accepted (the chat server caps frames at 64 KiB; the largest real re-offer is 11 KB).
    package static let maximumLength = 256 * 1024

    /// The `o=` line.
    package var origin: SDPOrigin
    /// `s=` value ("-" in browsers).
    package var sessionName: String
    /// `t=` value ("0 0" in browsers).
    package var timing: String
    /// Session-level `c=`, if any.
    package var connection: String?
    /// `a=group` lines (BUNDLE).
    package var groups: [SDPGroup]
    /// `a=extmap-allow-mixed`: one- and two-byte header extensions may mix.
    package var extmapAllowMixed: Bool
    /// `a=msid-semantic`.
    package var msidSemantic: MsidSemantic?
    /// Session-level ICE and DTLS attributes (Firefox style); browsers of today repeat them in each section.
    package var iceUfrag: String?
    /// Session-level `a=ice-pwd`.
    package var icePwd: String?
    /// Session-level `a=ice-options` tokens.
    package var iceOptions: [String]
    /// `a=ice-lite`.
    package var iceLite: Bool
    /// Session-level `a=fingerprint` lines.
    package var fingerprints: [DtlsFingerprint]
    /// Session-level `a=setup`.
    package var setup: SetupAttribute?
    /// Session-level lines other than v/o/s/t/c/a (e.g. "b=..."), as written.
    package var otherLines: [String]
    /// Session-level attributes not modelled above.
    package var otherAttributes: [SDPAttribute]
    /// The m= sections in order.
    package var media: [MediaDescription]

    /// A description with Chromium-style session lines and no media.
    package init(origin: SDPOrigin, sessionName: String = "-", timing: String = "0 0") {
        self.origin = origin
        self.sessionName = sessionName
        self.timing = timing
        connection = nil
        groups = []
        extmapAllowMixed = false
        msidSemantic = nil
        iceUfrag = nil
        icePwd = nil
        iceOptions = []
        iceLite = false
        fingerprints = []
        setup = nil
        otherLines = []
        otherAttributes = []
        media = []
    }

    /// The first BUNDLE group, if any.
    package var bundleGroup: SDPGroup? { groups.first { $0.semantics == "BUNDLE" } }

    /// The section with this mid.
    package func media(mid: String) -> MediaDescription? { media.first { $0.mid == mid } }

    /// ICE ufrag in force for section `index` (section value, else session value).
    package func iceUfrag(forMediaAt index: Int) -> String? {
        media.indices.contains(index) ? media[index].iceUfrag ?? iceUfrag : iceUfrag
    }
    /// ICE password in force for section `index`.
    package func icePwd(forMediaAt index: Int) -> String? {
        media.indices.contains(index) ? media[index].icePwd ?? icePwd : icePwd
    }
    /// Fingerprints in force for section `index`.
    package func fingerprints(forMediaAt index: Int) -> [DtlsFingerprint] {
        guard media.indices.contains(index), !media[index].fingerprints.isEmpty else { return fingerprints }
        return media[index].fingerprints
    }
    /// DTLS setup in force for section `index`.
    package func setup(forMediaAt index: Int) -> SetupAttribute? {
        media.indices.contains(index) ? media[index].setup ?? setup : setup
    }

    /// The SDP text, CRLF line endings, attributes in Chromium's order.
    package func serialized() -> String {
        var out = ["v=0", "o=\(origin.value)", "s=\(sessionName)"]
        if let connection { out.append("c=\(connection)") }
        out += otherLines
        out.append("t=\(timing)")
        out += groups.map { "a=group:\($0.value)" }
        if extmapAllowMixed { out.append("a=extmap-allow-mixed") }
        if let msidSemantic { out.append("a=msid-semantic:\(msidSemantic.value)") }
        if iceLite { out.append("a=ice-lite") }
        if let iceUfrag { out.append("a=ice-ufrag:\(iceUfrag)") }
        if let icePwd { out.append("a=ice-pwd:\(icePwd)") }
        if !iceOptions.isEmpty { out.append("a=ice-options:\(iceOptions.joined(separator: " "))") }
        out += fingerprints.map { "a=fingerprint:\($0.attributeValue)" }
        if let setup { out.append("a=setup:\(setup.rawValue)") }
        out += otherAttributes.map(\.line)
        for section in media { out += section.lines() }
        return out.joined(separator: "\r\n") + "\r\n"
    }
}
