/// Removes HTML tags from chat text, as the original server did, but only well-formed ones, so that
/// prose such as "if a<b and c>d" survives while markup that a browser page would render does not.
///
/// One pass, no backtracking (linear in the text, whatever it holds). A `<` starts markup only where a
/// browser's tokenizer would start one: `<` + letter (a tag), `</` + letter (an end tag), `<!` and `<?`
/// (comments, declarations). Quoted attribute values may hold `>`. A tag is stripped when it is an end tag,
/// has no attributes, has an attribute with a value (`name=…`: event handlers, URLs), or names an element
/// whose content a page would treat specially (script, style, …). What is left is a tag-shaped run of bare
/// words ("<b and c>"): a browser renders that harmlessly, so it stays as the text the sender typed.
/// Markup cut off by the end of the text is kept as text too.
public func stripHTMLTags(_ text: String) -> String {
    guard text.utf8.contains(UInt8(ascii: "<")) else { return text }
    let bytes = Array(text.utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count)
    var i = 0
    while i < bytes.count {
        guard bytes[i] == UInt8(ascii: "<") else {
            out.append(bytes[i])
            i += 1
            continue
        }
        switch HTMLTagScanner.scan(bytes, from: i) {
        case .text:
            out.append(bytes[i])
            i += 1
        case .tag(let end, let strip):
            if !strip { out.append(contentsOf: bytes[i..<end]) }
            i = end
        case .unterminated:
            // A browser's tokenizer would read everything from here as one tag cut off by the end, so no
            // later '<' starts markup either: the rest is text. (This is also what keeps the pass linear.)
            out.append(contentsOf: bytes[i...])
            i = bytes.count
        }
    }
    return String(decoding: out, as: UTF8.self)
}

/// The shape of one piece of markup starting at a `<`.
enum HTMLTagScanner {
    enum Result: Equatable {
        /// The `<` is a plain character.
        case text
        /// Markup up to (not including) `end`, which is just past its `>`.
        case tag(end: Int, strip: Bool)
        /// Markup that the end of the text cuts off.
        case unterminated
    }

    /// Elements whose content a browser page parses specially, or that load or embed things: always stripped.
    static let dangerous: Set<String> = [
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math", "textarea",
        "title", "xmp", "noscript", "noembed", "noframes", "template", "plaintext", "base", "link", "meta",
        "form", "input", "button", "select", "img", "video", "audio", "source", "image", "marquee",
    ]

    static func scan(_ b: [UInt8], from start: Int) -> Result {
        var i = start + 1
        guard i < b.count else { return .text }
        let c = b[i]
        if c == UInt8(ascii: "!") || c == UInt8(ascii: "?") {
            // Comment, doctype, processing instruction: up to the next '>'.
            guard let close = b[(i + 1)...].firstIndex(of: UInt8(ascii: ">")) else { return .unterminated }
            return .tag(end: close + 1, strip: true)
        }
        var endTag = false
        if c == UInt8(ascii: "/") {
            endTag = true
            i += 1
        }
        guard i < b.count, isLetter(b[i]) else { return .text }
        // As in browsers, the name runs to a space, '/' or '>'.
        let nameStart = i
        while i < b.count, !isSpace(b[i]), b[i] != UInt8(ascii: "/"), b[i] != UInt8(ascii: ">") { i += 1 }
        let name = String(decoding: b[nameStart..<i], as: UTF8.self).lowercased()
        var attributes = 0, valued = false
        // Attributes: names, optionally `= value` (quoted values may hold '>').
        while i < b.count {
            let ch = b[i]
            if ch == UInt8(ascii: ">") {
                let strip = endTag || attributes == 0 || valued || dangerous.contains(name)
                return .tag(end: i + 1, strip: strip)
            }
            if isSpace(ch) || ch == UInt8(ascii: "/") { i += 1; continue }
            if ch == UInt8(ascii: "=") {
                valued = true
                i += 1
                while i < b.count, isSpace(b[i]) { i += 1 }
                guard i < b.count else { return .unterminated }
                if b[i] == UInt8(ascii: "\"") || b[i] == UInt8(ascii: "'") {
                    let quote = b[i]
                    guard let close = b[(i + 1)...].firstIndex(of: quote) else { return .unterminated }
                    i = close + 1
                } else {
                    while i < b.count, !isSpace(b[i]), b[i] != UInt8(ascii: ">") { i += 1 }
                }
                continue
            }
            attributes += 1
            while i < b.count, !isSpace(b[i]), b[i] != UInt8(ascii: ">"), b[i] != UInt8(ascii: "="),
                  b[i] != UInt8(ascii: "/") { i += 1 }
        }
        return .unterminated
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
    }
    private static func isSpace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0C || c == 0x0D
    }
}
