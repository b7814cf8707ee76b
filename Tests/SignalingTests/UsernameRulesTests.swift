import SignalingServer
import Testing

@Suite("Usernames: bounded, visible, unique up to case, width and confusables")
struct UsernameRulesTests {
    let rules = UsernameRules()

    func refused(_ name: String) -> Bool {
        if case .failure = rules.validate(name) { return true }
        return false
    }

    @Test func boundsScalarsAndBytesNotGraphemes() {
        // One grapheme, 32 KB.
        #expect(refused("Z" + String(repeating: "\u{0301}", count: 16_000)))
        #expect(refused(String(repeating: "x", count: 65)))
        #expect(!refused(String(repeating: "x", count: 64)))
        // 64 scalars of 4 bytes each = 256 bytes: accepted; 65 are too many.
        #expect(!refused(String(repeating: "😀", count: 64)))
        #expect(refused(String(repeating: "😀", count: 65)))
        #expect(refused("Z" + String(repeating: "\u{0301}", count: 5)))
        #expect(!refused("Nguyễn Thị Ánh"))
    }

    @Test func refusesInvisibleAndReorderingCharacters() {
        for name in ["alice\u{200B}", "\u{202E}ecilA", "al\u{2066}ice", "a\u{00AD}lice", "ali\u{FEFF}ce",
                     "alice\u{0007}", "a\u{00A0}lice", "\u{E000}x", "a\u{2028}b"] {
            #expect(refused(name), "\(name.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        // Invisible characters real names need: emoji sequences, flags, Persian ZWNJ.
        for name in ["👩\u{200D}💻 dev", "❤\u{FE0F}", "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
                     "می\u{200C}خواهم", "Zoë", "李小龍", "José María"] {
            #expect(!refused(name), "\(name)")
        }
    }

    @Test func lookAlikesShareAKey() {
        let alice = UsernameRules.key("alice")
        for name in ["Alice", "ALICE", "ａｌｉｃｅ", "alic\u{0435}", "al\u{0456}ce"] {
            #expect(UsernameRules.key(name) == alice, "\(name)")
        }
        #expect(UsernameRules.key("bob") != alice)
        #expect(UsernameRules.key("a  b") == UsernameRules.key("a b"))
        #expect(UsernameRules.key("alice1") != alice)
    }
}
