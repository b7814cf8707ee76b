/// The chat scrollback: lines from the server, our own lines and system notes (joins, leaves,
/// refusals), wrapped to the pane width, scrolled by pages.
///
/// Each entry is wrapped once per width and kept with its lines, so a draw costs what the pane shows,
/// whatever the scrollback holds (a flood of 60 KB lines once froze the UI re-wrapping everything twice a
/// draw). Entries longer than `maxEntryScalars` are cut with a note of what was left out.
struct ChatLog {
    /// Entries kept; older ones are dropped.
    static let capacity = 2000
    /// Longest entry shown, in Unicode scalars (a 64 KB line would fill the pane many times over).
    static let maxEntryScalars = 2000

    /// `history`: said before we logged in (the server's last lines); `privateIn`/`privateOut`: `/msg`;
    /// `action`: `/me`.
    enum Kind: Equatable { case chat, own, system, history, privateIn, privateOut, action }
    struct Entry: Equatable {
        var time: String
        var name: String?
        var text: String
        var kind: Kind
    }
    /// One screen line: a styled prefix (time and name on the first line of an entry) and the text.
    struct Line: Equatable {
        var prefix: String
        var body: String
        var kind: Kind
        var first: Bool
    }

    private(set) var entries: [Entry] = []
    /// Lines scrolled up from the bottom (0: newest lines visible).
    private(set) var scrollOffset = 0
    /// `entries[i]` wrapped to `wrapWidth`, and the sum of their line counts.
    private var wrapped: [[Line]] = []
    private var wrapWidth = 0
    private var totalLines = 0

    mutating func append(_ entry: Entry) {
        var entry = entry
        entry.text = Self.bounded(entry.text)
        entries.append(entry)
        if wrapWidth > 0 {
            let lines = Self.wrap(entry, width: wrapWidth)
            wrapped.append(lines)
            totalLines += lines.count
            // Reading old lines: keep the view still while new ones arrive.
            if scrollOffset > 0 { scrollOffset += lines.count }
        } else if scrollOffset > 0 {
            scrollOffset += 1
        }
        if entries.count > ChatLog.capacity {
            let drop = entries.count - ChatLog.capacity
            entries.removeFirst(drop)
            if wrapWidth > 0 {
                totalLines -= wrapped[0..<drop].reduce(0) { $0 + $1.count }
                wrapped.removeFirst(drop)
            }
        }
    }

    /// All entries wrapped to `width` cells (tests; drawing uses `visible`).
    mutating func lines(width: Int) -> [Line] {
        rewrap(width)
        return wrapped.flatMap { $0 }
    }

    /// The lines a `height`-line pane shows at the current scroll position, and whether there is more above.
    /// Only the entries on screen are visited.
    mutating func visible(width: Int, height: Int) -> (lines: [Line], moreAbove: Bool) {
        rewrap(width)
        let maxOffset = max(0, totalLines - height)
        let off = min(scrollOffset, maxOffset)
        let end = totalLines - off
        let start = max(0, end - height)
        // Walk back from the newest entry to the lines [start, end).
        var out: [Line] = []
        var lineIndex = totalLines
        for lines in wrapped.reversed() {
            let first = lineIndex - lines.count
            if first < end, lineIndex > start {
                let from = max(start, first) - first, to = min(end, lineIndex) - first
                out.insert(contentsOf: lines[from..<to], at: 0)
            }
            lineIndex = first
            if lineIndex <= start { break }
        }
        return (out, start > 0)
    }

    /// Scrolls by `delta` lines (positive: back in time), within the wrapped length.
    mutating func scroll(by delta: Int, width: Int, height: Int) {
        rewrap(width)
        let maxOffset = max(0, totalLines - height)
        scrollOffset = min(maxOffset, max(0, min(scrollOffset, maxOffset) + delta))
    }

    private mutating func rewrap(_ width: Int) {
        guard width != wrapWidth || wrapped.count != entries.count else { return }
        wrapWidth = width
        wrapped = entries.map { Self.wrap($0, width: width) }
        totalLines = wrapped.reduce(0) { $0 + $1.count }
    }

    static func wrap(_ e: Entry, width: Int) -> [Line] {
        var out: [Line] = []
        let prefix = e.time + " " + (e.name.map { $0 + ": " } ?? "")
        let indent = min(TextWidth.cells(prefix), max(0, width / 3))
        let bodyWidth = max(1, width - indent)
        let firstWidth = max(1, width - TextWidth.cells(prefix))
        let firstLines = TextWidth.wrap(e.text, width: firstWidth)
        out.append(Line(prefix: prefix, body: firstLines.first ?? "", kind: e.kind, first: true))
        let rest = firstLines.dropFirst().joined(separator: " ")
        if !rest.isEmpty {
            for l in TextWidth.wrap(rest, width: bodyWidth) {
                out.append(Line(prefix: String(repeating: " ", count: indent), body: l, kind: e.kind, first: false))
            }
        }
        return out
    }

    /// `text` cut to `maxEntryScalars`, saying how much was left out.
    static func bounded(_ text: String) -> String {
        // No more bytes than the limit: no more scalars either (the byte count costs nothing).
        guard text.utf8.count > maxEntryScalars else { return text }
        let scalars = text.unicodeScalars
        guard let cut = scalars.index(scalars.startIndex, offsetBy: maxEntryScalars, limitedBy: scalars.endIndex),
              cut != scalars.endIndex else { return text }
        // The scalars left out, as the UTF-8 bytes that start one: counting the scalar view decodes each, which
        // took a tenth of the client's time in a flood of 60 KB lines.
        var rest = 0
        for byte in text.utf8[cut...] where byte & 0xC0 != 0x80 { rest += 1 }
        return String(scalars[..<cut]) + " … [\(rest) more characters not shown]"
    }
}
