/// RFC 8285 `a=extmap:<id>[/<direction>] <uri> [<attributes>]`.
package struct HeaderExtensionMap: Sendable, Equatable, Hashable {
    /// URIs this engine cares about.
    package static let sdesMid = "urn:ietf:params:rtp-hdrext:sdes:mid"
    /// abs-send-time: 24-bit send time, input of the REMB estimator.
    package static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
    /// transport-wide-cc sequence numbers: what our transport-cc feedback reports on.
    package static let transportWideCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
    /// Client-to-mixer audio level.
    package static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"

    /// 1...14 for one-byte headers, up to 255 with two-byte headers.
    package var id: UInt8
    /// Optional direction restriction after the id.
    package var direction: MediaDirection?
    /// The extension's URI.
    package var uri: String
    /// Extension attributes after the URI, as written.
    package var attributes: String?

    package init(id: UInt8, direction: MediaDirection? = nil, uri: String, attributes: String? = nil) {
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
