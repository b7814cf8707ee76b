import Signaling
import Testing

@Suite("JSON parser and message model")
struct JSONParserTests {
    @Test func parsesEveryKindOfValueAndKeepsKeyOrderAndNumberText() throws {
        let v = try JSONParser.parse(#" {"b":1.50,"a":[true,false,null,"x\n\u00e9\ud83d\ude00"],"c":{"d":-0e+3}} "#)
        let o = try #require(v.objectValue)
        #expect(o.keys == ["b", "a", "c"])
        #expect(o["b"] == .number("1.50"))
        #expect(o["a"] == .array([true, false, nil, .string("x\né😀")]))
        #expect(v.serialized() == #"{"b":1.50,"a":[true,false,null,"x\né😀"],"c":{"d":-0e+3}}"#)
    }

    @Test func rejectsMalformedInputWithAnOffset() {
        let bad = ["", "{", "{\"a\" 1}", "[1,]", "01", "1.", "\"\\x\"", "\"\\ud800\"", "tru", "{\"a\":1}x",
                   "\"a\u{1}\"", "[" + String(repeating: "[", count: 100) + "]"]
        for text in bad {
            #expect(throws: JSONParseError.self, "\(text.prefix(10))") { try JSONParser.parse(text) }
        }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }  // invalid UTF-8
    }

    @Test func randomInputNeverCrashes() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,\ntrufalsn0123456789.-eE"#.utf8) + [0xC3, 0xA9, 0xFF]
        for _ in 0..<20_000 {
            let n = Int.random(in: 0..<40, using: &rng)
            let bytes = (0..<n).map { _ in alphabet.randomElement(using: &rng)! }
            if let v = try? JSONParser.parse(bytes) {
                // Whatever parses must serialise to text that parses to the same value.
                #expect((try? JSONParser.parse(v.serialized())) == v)
            }
        }
    }

    @Test func objectSubscriptReplacesInPlaceAndDropsDuplicates() {
        var o: JSONObject = ["type": "x", "name": "eve", "k": 1]
        o.members.append((key: "name", value: "eve2"))
        o["name"] = "alice"
        #expect(o.keys == ["type", "name", "k"])
        #expect(o["name"] == "alice")
        o["k"] = nil
        #expect(o.keys == ["type", "name"])
    }

    @Test func typedMessagesReadBrowserJSON() throws {
        let offer = try SignalMessage(text: #"{"name":"alice","target":"bob","type":"video-offer","sdp":{"type":"offer","sdp":"v=0\r\n"}}"#)
        #expect(offer == .videoOffer(SessionDescriptionMessage(name: "alice", target: "bob",
                                                               sdp: .init(type: .offer, sdp: "v=0\r\n"))))
        let cand = try SignalMessage(text: #"{"type":"new-ice-candidate","target":"bob","candidate":{"candidate":"candidate:1 1 udp 1 1.2.3.4 5 typ host","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"u"}}"#)
        guard case .newIceCandidate(let c) = cand else { Issue.record("not a candidate"); return }
        #expect(c.candidate?.sdpMLineIndex == 0 && c.candidate?.usernameFragment == "u")
        #expect(try SignalMessage(text: #"{"type":"hang-up","name":"bob","target":null}"#) == .hangUp(name: "bob", target: nil))
        #expect(try SignalMessage(text: #"{"type":"userlist","users":["a","b"]}"#) == .userList(["a", "b"]))
        #expect(throws: SignalMessageError.self) { try SignalMessage(text: #"{"type":"video-offer","sdp":"v=0"}"#) }
        #expect(throws: SignalMessageError.self) { try SignalMessage(text: #"[1]"#) }
        // Round trip through JSON for every case.
        let all: [SignalMessage] = [.id(7), .username(name: "a", id: 7, date: 1), .rejectUsername(name: "a1", id: 7),
                                    .userList(["a"]), .chat(ChatMessage(text: "t", name: "a", id: 1, date: 2)),
                                    offer, cand, .hangUp(name: "a", target: "b"), .error(code: "c", text: "t"),
                                    .other(["type": "x-custom", "v": [1, 2]])]
        for m in all { #expect(try SignalMessage(text: m.text) == m) }
    }

    @Test func stripsTagsLikeTheOriginalServer() {
        #expect(stripHTMLTags("<b>bold</b> text") == "bold text")
        #expect(stripHTMLTags("a < b and c > d") == "a < b and c > d")
        #expect(stripHTMLTags("1 <> 2") == "1 <> 2")
        #expect(stripHTMLTags("unclosed <b") == "unclosed <b")
        #expect(stripHTMLTags("é<i>ü</i>") == "éü")
    }
}
