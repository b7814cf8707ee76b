/// The `sdp` object of `video-offer` / `video-answer`: `{"type":"offer","sdp":"v=0..."}`,
/// exactly as a browser's RTCSessionDescriptionInit serialises.
public struct SessionDescriptionInit: Sendable, Equatable {
    public enum Kind: String, Sendable { case offer, answer, pranswer, rollback }
    public var type: Kind
    public var sdp: String

    public init(type: Kind, sdp: String) { self.type = type; self.sdp = sdp }

    init(json: JSONValue?) throws(SignalMessageError) {
        guard let obj = json?.objectValue else { throw .invalidField("sdp", "expected an object {type, sdp}") }
        guard let t = obj["type"]?.stringValue, let kind = Kind(rawValue: t) else {
            throw .invalidField("sdp.type", "expected offer, answer, pranswer or rollback")
        }
        guard let sdp = obj["sdp"]?.stringValue else { throw .invalidField("sdp.sdp", "expected a string") }
        self.init(type: kind, sdp: sdp)
    }

    var json: JSONValue { .object(["type": .string(type.rawValue), "sdp": .string(sdp)]) }
}

/// The `candidate` object of `new-ice-candidate`, shaped like RTCIceCandidateInit.
public struct IceCandidateInit: Sendable, Equatable {
    public var candidate: String
    public var sdpMid: String?
    public var sdpMLineIndex: Int?
    public var usernameFragment: String?

    /// An empty `candidate` means end-of-candidates.
    public init(candidate: String, sdpMid: String? = nil, sdpMLineIndex: Int? = nil, usernameFragment: String? = nil) {
        self.candidate = candidate
        self.sdpMid = sdpMid
        self.sdpMLineIndex = sdpMLineIndex
        self.usernameFragment = usernameFragment
    }

    init(json: JSONObject) throws(SignalMessageError) {
        guard let c = json["candidate"]?.stringValue else { throw .invalidField("candidate.candidate", "expected a string") }
        let mid = json["sdpMid"]
        if let mid, mid.stringValue == nil, !mid.isNull { throw .invalidField("candidate.sdpMid", "expected a string or null") }
        let index = json["sdpMLineIndex"]
        if let index, index.intValue == nil, !index.isNull {
            throw .invalidField("candidate.sdpMLineIndex", "expected an integer or null")
        }
        self.init(candidate: c, sdpMid: mid?.stringValue, sdpMLineIndex: index?.intValue,
                  usernameFragment: json["usernameFragment"]?.stringValue)
    }

    var json: JSONValue {
        .object([
            "candidate": .string(candidate),
            "sdpMid": sdpMid.map(JSONValue.string) ?? .null,
            "sdpMLineIndex": sdpMLineIndex.map { JSONValue.int($0) } ?? .null,
            "usernameFragment": usernameFragment.map(JSONValue.string) ?? .null,
        ])
    }
}
