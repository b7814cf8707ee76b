/// `a=rtpmap:<pt> <name>/<clock rate>[/<channels>]`.
package struct RtpMap: Sendable, Equatable, Hashable {
    /// RTP payload type, 0...127.
    package var payloadType: UInt8
    /// Encoding name as written (compare case-insensitively: "VP8", "opus").
    package var encodingName: String
    /// RTP clock rate in Hz.
    package var clockRate: UInt32
    /// Audio channel count; nil when the line has none (means 1).
    package var channels: UInt16?

    package init(payloadType: UInt8, encodingName: String, clockRate: UInt32, channels: UInt16? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    /// Parses the attribute value; nil if malformed.
    init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pt = RtpMap.payloadType(parts[0]) else { return nil }
        let encoding = parts[1].split(separator: "/", omittingEmptySubsequences: false)
        guard encoding.count == 2 || encoding.count == 3, !encoding[0].isEmpty,
              let rate = UInt32(encoding[1]), rate > 0 else { return nil }
        var channels: UInt16?
        if encoding.count == 3 {
            guard let count = UInt16(encoding[2]), count > 0 else { return nil }
            channels = count
        }
        self.init(payloadType: pt, encodingName: String(encoding[0]), clockRate: rate, channels: channels)
    }

    var value: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }

    /// RTP payload types are 7 bits.
    static func payloadType<S: StringProtocol>(_ text: S) -> UInt8? {
        guard let value = UInt8(text), value <= 127 else { return nil }
        return value
    }
}

/// `a=fmtp:<pt> <parameters>`; the parameters stay as text, with a key=value view.
package struct Fmtp: Sendable, Equatable, Hashable {
    /// RTP payload type, 0...127.
    package var payloadType: UInt8
    /// Everything after the payload type, e.g. "minptime=10;useinbandfec=1".
    package var parameters: String

    package init(payloadType: UInt8, parameters: String) {
        self.payloadType = payloadType
        self.parameters = parameters
    }

    init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let pt = RtpMap.payloadType(parts[0]) else { return nil }
        self.init(payloadType: pt, parameters: String(parts[1]))
    }

    /// `key=value` pairs split at ';' (keys lower-cased; a bare token maps to "").
    package var parameterMap: [String: String] {
        var map: [String: String] = [:]
        for item in parameters.split(separator: ";") {
            let trimmed = item.drop(while: { $0 == " " })
            if let equals = trimmed.firstIndex(of: "=") {
                map[trimmed[..<equals].lowercased()] = String(trimmed[trimmed.index(after: equals)...])
            } else {
                map[trimmed.lowercased()] = ""
            }
        }
        return map
    }

    var value: String { "\(payloadType) \(parameters)" }
}

/// `a=rtcp-fb:<pt|*> <type> [<parameter>]`, e.g. "96 nack pli".
package struct RtcpFeedback: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Names used by browsers; the RTP layer implements the ones `LocalCapabilities` lists.
    package static let nack = RtcpFeedback.Kind(type: "nack")
    /// Picture loss indication.
    package static let pli = RtcpFeedback.Kind(type: "nack", parameter: "pli")
    /// Full intra request.
    package static let fir = RtcpFeedback.Kind(type: "ccm", parameter: "fir")
    /// Receiver estimated max bitrate.
    package static let remb = RtcpFeedback.Kind(type: "goog-remb")
    /// Transport-wide congestion control (not implemented).
    package static let transportCC = RtcpFeedback.Kind(type: "transport-cc")

    /// Feedback type with its optional parameter, independent of the payload type.
    package struct Kind: Sendable, Equatable, Hashable, CustomStringConvertible {
        /// Feedback type, e.g. "nack".
        package var type: String
        /// Feedback parameter, e.g. "pli".
        package var parameter: String?
        package init(type: String, parameter: String? = nil) {
            self.type = type
            self.parameter = parameter
        }
        package var description: String { parameter.map { "\(type) \($0)" } ?? type }
    }

    /// nil means "*" (every payload type).
    package var payloadType: UInt8?
    /// Feedback type and parameter.
    package var kind: Kind

    package init(payloadType: UInt8?, kind: Kind) {
        self.payloadType = payloadType
        self.kind = kind
    }

    init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2 else { return nil }
        if parts[0] == "*" {
            payloadType = nil
        } else {
            guard let pt = RtpMap.payloadType(parts[0]) else { return nil }
            payloadType = pt
        }
        kind = Kind(type: String(parts[1]), parameter: parts.count == 3 ? String(parts[2]) : nil)
    }

    var value: String { "\(payloadType.map { String($0) } ?? "*") \(kind)" }
    package var description: String { "a=rtcp-fb:" + value }
}

/// One payload type of a media section with its rtpmap, fmtp and rtcp-fb joined (a read-only view).
package struct RtpCodec: Sendable, Equatable, Hashable {
    /// RTP payload type, 0...127.
    package var payloadType: UInt8
    /// Encoding name as written.
    package var name: String
    /// RTP clock rate in Hz.
    package var clockRate: UInt32
    /// Audio channels from rtpmap, if written.
    package var channels: UInt16?
    /// fmtp parameters text, if any.
    package var parameters: String?
    /// rtcp-fb for this payload type (and "*").
    package var feedback: [RtcpFeedback.Kind]

    package init(payloadType: UInt8, name: String, clockRate: UInt32, channels: UInt16? = nil,
                parameters: String? = nil, feedback: [RtcpFeedback.Kind] = []) {
        self.payloadType = payloadType
        self.name = name
        self.clockRate = clockRate
        self.channels = channels
        self.parameters = parameters
        self.feedback = feedback
    }

    /// fmtp parameters as a map (empty if none).
    package var parameterMap: [String: String] {
        parameters.map { Fmtp(payloadType: payloadType, parameters: $0).parameterMap } ?? [:]
    }

    /// For an RTX codec, the payload type it repairs (`apt=`).
    package var associatedPayloadType: UInt8? { parameterMap["apt"].flatMap { RtpMap.payloadType($0) } }

    /// Case-insensitive name match.
    package func isNamed(_ other: String) -> Bool { name.lowercased() == other.lowercased() }
}
