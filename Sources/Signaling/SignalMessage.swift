/// Why a JSON object is not a valid signaling message.
public enum SignalMessageError: Error, Sendable, Equatable, CustomStringConvertible {
    case notAnObject
    case missingType
    case invalidField(String, String)

    public var description: String {
        switch self {
        case .notAnObject: "a signaling message must be a JSON object"
        case .missingType: "a signaling message needs a string \"type\""
        case .invalidField(let f, let why): "field \"\(f)\": \(why)"
        }
    }
}

/// A call message routed between two users (`video-offer`, `video-answer`).
public struct SessionDescriptionMessage: Sendable, Equatable {
    public var name: String?
    public var target: String?
    public var sdp: SessionDescriptionInit
    public init(name: String?, target: String?, sdp: SessionDescriptionInit) {
        self.name = name; self.target = target; self.sdp = sdp
    }
}

/// A trickled ICE candidate; `candidate` is nil for the end-of-candidates marker.
public struct IceCandidateMessage: Sendable, Equatable {
    public var name: String?
    public var target: String?
    public var candidate: IceCandidateInit?
    public init(name: String?, target: String?, candidate: IceCandidateInit?) {
        self.name = name; self.target = target; self.candidate = candidate
    }
}

/// A chat line. The server sets `name` and `date`; clients send `text` (and `id`, `date`). With a `target`
/// it is private: the server routes it to that user only.
public struct ChatMessage: Sendable, Equatable {
    public var text: String
    public var name: String?
    public var id: Int?
    public var date: Int64?
    public var target: String?
    public init(text: String, name: String? = nil, id: Int? = nil, date: Int64? = nil, target: String? = nil) {
        self.text = text; self.name = name; self.id = id; self.date = date; self.target = target
    }
}

/// Every message of the MDN chat-server protocol, with the field shapes browsers use.
public enum SignalMessage: Sendable, Equatable {
    case id(Int)
    /// `token` is tuicall's access token (`tuicall serve --token-file`); the MDN page never sends one.
    case username(name: String, id: Int?, date: Int64?, token: String? = nil)
    case rejectUsername(name: String, id: Int?)
    case userList([String])
    case chat(ChatMessage)
    case videoOffer(SessionDescriptionMessage)
    case videoAnswer(SessionDescriptionMessage)
    case newIceCandidate(IceCandidateMessage)
    /// `reason` is tuicall's ("busy", "no-answer"); the MDN page ignores it and sees a plain hang-up.
    case hangUp(name: String?, target: String?, reason: String? = nil)
    /// tuicall's server explains refusals with these; the MDN page ignores unknown types.
    case error(code: String, text: String)
    /// tuicall's server: who is in a call right now (the MDN page ignores it).
    case userStatus(busy: [String])
    /// tuicall's server: the last public chat lines, sent once after login (the MDN page ignores it).
    case history([ChatMessage])
    /// Any other type, passed through unchanged.
    case other(JSONObject)

    /// tuicall's message to the peer, after logging in again during a call, that lets `tuicall serve` pair
    /// the two again once both sent it (other servers route it; peers ignore it).
    public static let callResumeType = "call-resume"

    /// Types only the server sends. The server refuses them from clients (a client that could send them
    /// to another user could speak for the server), and clients ignore them when they arrive stamped
    /// with a sender's `name` (relayed by a server that does not refuse them).
    public static let serverOnlyTypes: Set<String> = ["id", "rejectusername", "userlist", "error",
                                                      "userstatus", "history"]

    public var type: String {
        switch self {
        case .id: "id"
        case .username: "username"
        case .rejectUsername: "rejectusername"
        case .userList: "userlist"
        case .chat: "message"
        case .videoOffer: "video-offer"
        case .videoAnswer: "video-answer"
        case .newIceCandidate: "new-ice-candidate"
        case .hangUp: "hang-up"
        case .error: "error"
        case .userStatus: "userstatus"
        case .history: "history"
        case .other(let o): o["type"]?.stringValue ?? ""
        }
    }

    /// Parses JSON text into a typed message.
    public init(text: String) throws {
        try self.init(json: try JSONParser.parse(text))
    }

    public init(json: JSONValue) throws(SignalMessageError) {
        guard let obj = json.objectValue else { throw .notAnObject }
        guard let type = obj["type"]?.stringValue else { throw .missingType }
        func string(_ key: String) throws(SignalMessageError) -> String {
            guard let s = obj[key]?.stringValue else { throw .invalidField(key, "expected a string") }
            return s
        }
        let optName = obj["name"]?.stringValue
        let optTarget = obj["target"]?.stringValue
        switch type {
        case "id":
            guard let id = obj["id"]?.intValue else { throw .invalidField("id", "expected an integer") }
            self = .id(id)
        case "username":
            self = .username(name: try string("name"), id: obj["id"]?.intValue,
                             date: obj["date"]?.doubleValue.map { Int64($0) }, token: obj["token"]?.stringValue)
        case "rejectusername":
            self = .rejectUsername(name: try string("name"), id: obj["id"]?.intValue)
        case "userlist":
            guard let users = obj["users"]?.arrayValue else { throw .invalidField("users", "expected an array") }
            self = .userList(users.compactMap(\.stringValue))
        case "message":
            self = .chat(ChatMessage(text: try string("text"), name: optName, id: obj["id"]?.intValue,
                                     date: obj["date"]?.doubleValue.map { Int64($0) },
                                     target: optTarget.flatMap { $0.isEmpty ? nil : $0 }))
        case "video-offer", "video-answer":
            let m = SessionDescriptionMessage(name: optName, target: optTarget,
                                              sdp: try SessionDescriptionInit(json: obj["sdp"]))
            self = type == "video-offer" ? .videoOffer(m) : .videoAnswer(m)
        case "new-ice-candidate":
            let c = obj["candidate"]
            let candidate: IceCandidateInit?
            if let co = c?.objectValue { candidate = try IceCandidateInit(json: co) }
            else if c == nil || c == .null { candidate = nil }
            else { throw .invalidField("candidate", "expected an object or null") }
            self = .newIceCandidate(IceCandidateMessage(name: optName, target: optTarget, candidate: candidate))
        case "hang-up":
            self = .hangUp(name: optName, target: optTarget, reason: obj["reason"]?.stringValue)
        case "error":
            self = .error(code: obj["code"]?.stringValue ?? "error", text: obj["text"]?.stringValue ?? "")
        case "userstatus":
            self = .userStatus(busy: (obj["busy"]?.arrayValue ?? []).compactMap(\.stringValue))
        case "history":
            self = .history((obj["messages"]?.arrayValue ?? []).compactMap { v in
                guard let m = v.objectValue, let text = m["text"]?.stringValue else { return nil }
                return ChatMessage(text: text, name: m["name"]?.stringValue, id: m["id"]?.intValue,
                                   date: m["date"]?.doubleValue.map { Int64($0) })
            })
        default:
            self = .other(obj)
        }
    }

    public var json: JSONValue {
        var o: JSONObject = ["type": .string(type)]
        switch self {
        case .id(let id): o["id"] = .int(id)
        case .username(let name, let id, let date, let token):
            o["name"] = .string(name)
            if let date { o["date"] = .int(date) }
            if let id { o["id"] = .int(id) }
            if let token { o["token"] = .string(token) }
        case .rejectUsername(let name, let id):
            if let id { o["id"] = .int(id) }
            o["name"] = .string(name)
        case .userList(let users): o["users"] = .array(users.map(JSONValue.string))
        case .chat(let m):
            o["text"] = .string(m.text)
            if let name = m.name { o["name"] = .string(name) }
            if let id = m.id { o["id"] = .int(id) }
            if let date = m.date { o["date"] = .int(date) }
            if let target = m.target { o["target"] = .string(target) }
        case .videoOffer(let m), .videoAnswer(let m):
            o["name"] = m.name.map(JSONValue.string) ?? .null
            o["target"] = m.target.map(JSONValue.string) ?? .null
            o["sdp"] = m.sdp.json
        case .newIceCandidate(let m):
            if let name = m.name { o["name"] = .string(name) }
            o["target"] = m.target.map(JSONValue.string) ?? .null
            o["candidate"] = m.candidate?.json ?? .null
        case .hangUp(let name, let target, let reason):
            o["name"] = name.map(JSONValue.string) ?? .null
            o["target"] = target.map(JSONValue.string) ?? .null
            if let reason { o["reason"] = .string(reason) }
        case .error(let code, let text):
            o["code"] = .string(code)
            o["text"] = .string(text)
        case .userStatus(let busy): o["busy"] = .array(busy.map(JSONValue.string))
        case .history(let lines):
            o["messages"] = .array(lines.map { SignalMessage.chat($0).json })
        case .other(let obj): return .object(obj)
        }
        return .object(o)
    }

    public var text: String { json.serialized() }
}
