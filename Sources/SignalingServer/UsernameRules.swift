import CShims

/// What a username may be, and when two names are one. Names are what people read to decide whom they
/// call, so a name must look like itself: no invisible or reordering characters, no floods of combining
/// marks, bounded in scalars and bytes (not graphemes: "Z" + 16,000 marks is one grapheme), and unique up
/// to case, compatibility forms and confusable letters. The user's own spelling is kept for display.
public struct UsernameRules: Sendable {
    /// Longest name in Unicode scalars. Default 64.
    public var maxScalars = 64
    /// Longest name in UTF-8 bytes. Default 256.
    public var maxBytes = 256
    /// Most combining marks in a row (Vietnamese needs 2, some Indic clusters 3–4). Default 4.
    public var maxCombiningRun = 4

    public init() {}

    /// The name to register (trimmed), or why it is refused.
    public func validate(_ raw: String) -> Result<String, UsernameError> {
        let name = raw.trimmingWhitespace()
        if name.isEmpty { return .failure(.empty) }
        let scalars = Array(name.unicodeScalars)
        if scalars.count > maxScalars || name.utf8.count > maxBytes {
            return .failure(.tooLong(maxScalars: maxScalars, maxBytes: maxBytes))
        }
        var marks = 0
        for (i, s) in scalars.enumerated() {
            let p = s.properties
            switch p.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator: return .failure(.control)
            case .privateUse, .surrogate, .unassigned: return .failure(.unassigned(s))
            case .nonspacingMark, .spacingMark, .enclosingMark:
                marks += 1
                if marks > maxCombiningRun { return .failure(.combiningFlood(maxCombiningRun)) }
            default: marks = 0
            }
            if Self.isBidiControl(s) { return .failure(.bidiControl(s)) }
            if p.isWhitespace && s != " " { return .failure(.oddSpace(s)) }
            if p.generalCategory == .format || p.isDefaultIgnorableCodePoint,
               !Self.allowedInvisible(at: i, in: scalars) {
                return .failure(.invisible(s))
            }
        }
        return .success(name)
    }

    /// Two names with the same key are the same name: NFKC + case fold, then the UTS #39 confusable
    /// skeleton (ICU), with runs of spaces as one.
    public static func key(_ name: String) -> String {
        let collapsed = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        var bytes = Array(collapsed.utf8)
        var capacity = bytes.count * 4 + 16
        while true {
            var out = [CChar](repeating: 0, count: capacity)
            let n = shim_icu_name_key(&bytes, Int32(bytes.count), &out, Int32(capacity))
            // Without ICU (never seen): fall back to a case-insensitive comparison.
            if n < 0 { return collapsed.lowercased() }
            if Int(n) <= capacity {
                return String(decoding: out.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            capacity = Int(n) + 1
        }
    }

    /// Marks that reorder text (they make "\u{202E}ecilA" read as "Alice").
    static func isBidiControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// Invisible characters that real names need: the zero-width joiner inside an emoji sequence, emoji
    /// variation selectors and tag characters (flags) after an emoji, and the zero-width non-joiner between
    /// letters (Persian).
    static func allowedInvisible(at i: Int, in s: [Unicode.Scalar]) -> Bool {
        let prev = i > 0 ? s[i - 1] : nil
        let next = i + 1 < s.count ? s[i + 1] : nil
        func emoji(_ x: Unicode.Scalar?) -> Bool { x.map { $0.properties.isEmoji && $0.value > 0x7F } ?? false }
        func letter(_ x: Unicode.Scalar?) -> Bool { x.map { $0.properties.isAlphabetic } ?? false }
        switch s[i].value {
        case 0x200D: return emoji(prev) && emoji(next)
        case 0xFE0E, 0xFE0F: return prev.map { $0.properties.isEmoji } ?? false
        case 0xE0020...0xE007F: return emoji(prev) || (prev.map { (0xE0020...0xE007F).contains($0.value) } ?? false)
        case 0x200C: return letter(prev) && letter(next)
        default: return false
        }
    }
}

/// Why a username is refused; the text goes to the user in an `error` message.
public enum UsernameError: Error, Equatable, CustomStringConvertible {
    case empty
    case tooLong(maxScalars: Int, maxBytes: Int)
    case control
    case unassigned(Unicode.Scalar)
    case combiningFlood(Int)
    case bidiControl(Unicode.Scalar)
    case oddSpace(Unicode.Scalar)
    case invisible(Unicode.Scalar)

    public var description: String {
        switch self {
        case .empty: "username must not be empty"
        case .tooLong(let s, let b): "username longer than \(s) characters (or \(b) bytes)"
        case .control: "username must not contain control characters"
        case .unassigned(let s): "username must not contain unassigned or private-use characters (\(Self.hex(s)))"
        case .combiningFlood(let n): "username has more than \(n) combining marks in a row"
        case .bidiControl(let s): "username must not contain text-direction controls (\(Self.hex(s))): they make a name look like another"
        case .oddSpace(let s): "username may contain only plain spaces (found \(Self.hex(s)))"
        case .invisible(let s): "username must not contain invisible characters (\(Self.hex(s)))"
        }
    }

    static func hex(_ s: Unicode.Scalar) -> String {
        let h = String(s.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}
