/// RFC 8285 `a=extmap:<id>[/<direction>] <uri> [<attributes>]`.
public struct HeaderExtensionMap: Sendable, Equatable, Hashable {
    /// URIs this engine cares about.
    public static let sdesMid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    /// abs-send-time: 24-bit send time, input of the REMB estimator.
    public static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    /// transport-wide-cc sequence numbers (not implemented: never accepted by default).
    public static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    /// Client-to-mixer audio level.
    public static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

    /// 1...14 for one-byte headers, up to 255 with two-byte headers.
    public var id: UInt8
    /// Optional direction restriction after the id.
    public var direction: MediaDirection?
    /// The extension's URI.
    public var uri: String
    /// Extension attributes after the URI, as written.
    public var attributes: String?

    public init(id: UInt8, direction: MediaDirection? = nil, uri: String, attributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.attributes = attributes
    }

    init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2 else { return nil }
        let idParts = parts[0].split(separator: "/", omittingEmptySubsequences: false)
        guard idParts.count <= 2, let id = UInt8(idParts[0]), id >= 1 else { return nil }
        if idParts.count == 2 {
            guard let direction = MediaDirection(rawValue: String(idParts[1])) else { return nil }
            self.direction = direction
        }
        self.id = id
        uri = String(parts[1])
        attributes = parts.count == 3 ? String(parts[2]) : nil
    }

    var value: String {
        "\(id)" + (direction.map { "/\($0.rawValue)" } ?? "") + " \(uri)" + (attributes.map { " \($0)" } ?? "")
    }
}
