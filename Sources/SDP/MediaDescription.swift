/// `m=` media kind ("audio", "video", "application", or anything else as written).
package struct MediaKind: RawRepresentable, Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The m= token.
    package var rawValue: String
    package init(rawValue: String) { self.rawValue = rawValue }
    /// m=audio.
    package static let audio = MediaKind(rawValue: "audio")
    /// m=video.
    package static let video = MediaKind(rawValue: "video")
    /// m=application (data channels; always rejected).
    package static let application = MediaKind(rawValue: "application")
    package var description: String { rawValue }
}

/// One `m=` section with the attributes WebRTC uses modelled; anything else is kept in `otherAttributes`/`otherLines`.
package struct MediaDescription: Sendable, Equatable {
    /// Profile every browser uses for RTP media.
    package static let webRTCProtocol = "UDP/TLS/RTP/SAVPF"
    /// The "discard" port browsers put in the m= line when candidates are trickled.
    package static let placeholderPort: UInt16 = 9
    /// Connection line value browsers use with trickle ICE.
    package static let placeholderConnection = "IN IP4 0.0.0.0"
    /// `a=rtcp` value browsers use with trickle ICE.
    package static let placeholderRtcp = "9 IN IP4 0.0.0.0"

    /// Media type of the m= line.
    package var kind: MediaKind
    /// 0 means rejected (unless `bundleOnly`).
    package var port: UInt16
    /// The "/<n>" after the port, rarely used.
    package var portCount: UInt16?
    /// Transport protocol, e.g. UDP/TLS/RTP/SAVPF.
    package var proto: String
    /// Format tokens of the m= line (payload types for RTP, in preference order).
    package var formats: [String]
    /// `c=` value, e.g. "IN IP4 0.0.0.0".
    package var connection: String?
    /// `a=rtcp` value, e.g. "9 IN IP4 0.0.0.0".
    package var rtcp: String?
    /// `a=mid`: the section's identification tag (BUNDLE demux key).
    package var mid: String?
    /// nil when the section has no direction attribute (which means sendrecv).
    package var direction: MediaDirection?
    /// `a=msid` lines (stream and track ids).
    package var msids: [Msid]
    /// `a=rtpmap` lines in order.
    package var rtpMaps: [RtpMap]
    /// `a=fmtp` lines in order.
    package var fmtps: [Fmtp]
    /// `a=rtcp-fb` lines in order.
    package var rtcpFeedback: [RtcpFeedback]
    /// `a=extmap` lines in order.
    package var extmaps: [HeaderExtensionMap]
    /// `a=ssrc` lines in order.
    package var ssrcs: [SsrcAttribute]
    /// `a=ssrc-group` lines (FID = primary + RTX).
    package var ssrcGroups: [SsrcGroup]
    /// `a=ice-ufrag` of this section (nil: the session's).
    package var iceUfrag: String?
    /// `a=ice-pwd` of this section (nil: the session's).
    package var icePwd: String?
    /// `a=ice-options` tokens, e.g. ["trickle"].
    package var iceOptions: [String]
    /// `a=fingerprint` lines (empty: the session's).
    package var fingerprints: [DtlsFingerprint]
    /// `a=setup` (nil: the session's, else RFC 4145's default "active").
    package var setup: SetupAttribute?
    /// `a=candidate` lines (empty with trickle ICE).
    package var candidates: [IceCandidate]
    /// `a=end-of-candidates` present.
    package var endOfCandidates: Bool
    /// `a=rtcp-mux`: RTP and RTCP share one port (required by tuicall).
    package var rtcpMux: Bool
    /// `a=rtcp-rsize`: reduced-size RTCP allowed.
    package var rtcpRsize: Bool
    /// `a=bundle-only`: port 0 yet accepted through BUNDLE.
    package var bundleOnly: Bool
    /// Non-attribute lines other than c= (e.g. "b=AS:500"), as written.
    package var otherLines: [String]
    /// Attributes not modelled above (e.g. rtcp-xr), in order.
    package var otherAttributes: [SDPAttribute]

    /// A section with only its m= line filled in.
    package init(kind: MediaKind, port: UInt16 = MediaDescription.placeholderPort,
                proto: String = MediaDescription.webRTCProtocol, formats: [String]) {
        self.kind = kind
        self.port = port
        self.portCount = nil
        self.proto = proto
        self.formats = formats
        connection = nil
        rtcp = nil
        mid = nil
        direction = nil
        msids = []
        rtpMaps = []
        fmtps = []
        rtcpFeedback = []
        extmaps = []
        ssrcs = []
        ssrcGroups = []
        iceUfrag = nil
        icePwd = nil
        iceOptions = []
        fingerprints = []
        setup = nil
        candidates = []
        endOfCandidates = false
        rtcpMux = false
        rtcpRsize = false
        bundleOnly = false
        otherLines = []
        otherAttributes = []
    }

    /// The direction in force: the attribute, or sendrecv when absent.
    package var effectiveDirection: MediaDirection { direction ?? .sendrecv }
    /// True if the section is rejected or disabled (port 0 and not bundle-only).
    package var isRejected: Bool { port == 0 && !bundleOnly }
    /// The first msid, if any.
    package var msid: Msid? { msids.first }
    /// m= formats that are valid RTP payload types, in order.
    package var payloadTypes: [UInt8] { formats.compactMap { RtpMap.payloadType($0) } }

    /// Payload types with their rtpmap, fmtp and rtcp-fb joined, in m= line order (formats without rtpmap skipped).
    package var codecs: [RtpCodec] { payloadTypes.compactMap { codec(payloadType: $0) } }

    /// The codec for one payload type, if it has an rtpmap.
    package func codec(payloadType: UInt8) -> RtpCodec? {
        guard let map = rtpMaps.first(where: { $0.payloadType == payloadType }) else { return nil }
        let feedback = rtcpFeedback.filter { $0.payloadType == payloadType || $0.payloadType == nil }.map(\.kind)
        return RtpCodec(payloadType: payloadType, name: map.encodingName, clockRate: map.clockRate,
                        channels: map.channels, parameters: fmtps.first { $0.payloadType == payloadType }?.parameters,
                        feedback: feedback)
    }

    /// Extension id negotiated for `uri`, if any.
    package func extensionId(uri: String) -> UInt8? { extmaps.first { $0.uri == uri }?.id }

    /// Distinct SSRCs named by `a=ssrc` lines, in order of first appearance.
    package var ssrcList: [UInt32] {
        var seen = Set<UInt32>()
        return ssrcs.map(\.ssrc).filter { seen.insert($0).inserted }
    }

    /// The FID group's (primary, rtx) pair, if any.
    package var fidGroup: (primary: UInt32, rtx: UInt32)? {
        guard let group = ssrcGroups.first(where: { $0.semantics == "FID" && $0.ssrcs.count == 2 }) else { return nil }
        return (group.ssrcs[0], group.ssrcs[1])
    }

    /// The sender's primary SSRC: first of the FID group, else the first SSRC that is not an RTX/FEC repair SSRC.
    package var primarySsrc: UInt32? {
        if let fid = fidGroup { return fid.primary }
        let repair = Set(ssrcGroups.flatMap { $0.ssrcs.dropFirst() })
        return ssrcList.first { !repair.contains($0) }
    }

    /// The `cname` of the first SSRC that has one.
    package var cname: String? { ssrcs.first { $0.name == "cname" }?.value }

    /// Lines of this section in Chromium's order, without line endings.
    func lines() -> [String] {
        let portText = portCount.map { "\(port)/\($0)" } ?? "\(port)"
        var out = ["m=\(kind.rawValue) \(portText) \(proto) \(formats.joined(separator: " "))"]
        if let connection { out.append("c=\(connection)") }
        out += otherLines
        if let rtcp { out.append("a=rtcp:\(rtcp)") }
        out += candidates.map { "a=\($0.attributeValue)" }
        if endOfCandidates { out.append("a=end-of-candidates") }
        if let iceUfrag { out.append("a=ice-ufrag:\(iceUfrag)") }
        if let icePwd { out.append("a=ice-pwd:\(icePwd)") }
        if !iceOptions.isEmpty { out.append("a=ice-options:\(iceOptions.joined(separator: " "))") }
        out += fingerprints.map { "a=fingerprint:\($0.attributeValue)" }
        if let setup { out.append("a=setup:\(setup.rawValue)") }
        if let mid { out.append("a=mid:\(mid)") }
        out += extmaps.map { "a=extmap:\($0.value)" }
        if let direction { out.append("a=\(direction.rawValue)") }
        out += msids.map { "a=msid:\($0.value)" }
        if rtcpMux { out.append("a=rtcp-mux") }
        if rtcpRsize { out.append("a=rtcp-rsize") }
        if bundleOnly { out.append("a=bundle-only") }
        out += otherAttributes.map(\.line)
        // rtpmap, rtcp-fb, fmtp grouped per payload type in m= order, like browsers; strays afterwards.
        var written = Set<UInt8>()
        for pt in payloadTypes where written.insert(pt).inserted {
            out += rtpMaps.filter { $0.payloadType == pt }.map { "a=rtpmap:\($0.value)" }
            out += rtcpFeedback.filter { $0.payloadType == pt }.map { "a=rtcp-fb:\($0.value)" }
            out += fmtps.filter { $0.payloadType == pt }.map { "a=fmtp:\($0.value)" }
        }
        out += rtpMaps.filter { !written.contains($0.payloadType) }.map { "a=rtpmap:\($0.value)" }
        out += rtcpFeedback.filter { $0.payloadType.map { !written.contains($0) } ?? true }
            .map { "a=rtcp-fb:\($0.value)" }
        out += fmtps.filter { !written.contains($0.payloadType) }.map { "a=fmtp:\($0.value)" }
        out += ssrcGroups.map { "a=ssrc-group:\($0.value)" }
        out += ssrcs.map { "a=ssrc:\($0.serializedValue)" }
        return out
    }
}
