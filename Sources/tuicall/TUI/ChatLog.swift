/// The chat scrollback: lines from the server, our own lines and system notes (joins, leaves,
/// refusals), wrapped to the pane width when drawn, scrolled by pages.
struct ChatLog {
    /// Entries kept; older ones are dropped.
    static let capacity = 2000

    enum Kind: Equatable { case chat, own, system }
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

    mutating func append(_ entry: Entry) {
        entries.append(entry)
        if entries.count > ChatLog.capacity { entries.removeFirst(entries.count - ChatLog.capacity) }
        // Reading old lines: keep the view still while new ones arrive.
        if scrollOffset > 0 { scrollOffset += 1 }
    }

    /// All entries wrapped to `width` cells.
    func lines(width: Int) -> [Line] {
        var out: [Line] = []
        for e in entries {
            let prefix = e.time + " " + (e.name.map { $0 + ": " } ?? "")
            let indent = min(TextWidth.cells(prefix), max(0, width / 3))
            let bodyWidth = max(1, width - indent)
            let firstWidth = max(1, width - TextWidth.cells(prefix))
            let firstLines = TextWidth.wrap(e.text, width: firstWidth)
            let head = firstLines.first ?? ""
            out.append(Line(prefix: prefix, body: head, kind: e.kind, first: true))
            let rest = firstLines.dropFirst().joined(separator: " ")
            if !rest.isEmpty {
                for l in TextWidth.wrap(rest, width: bodyWidth) {
                    out.append(Line(prefix: String(repeating: " ", count: indent), body: l, kind: e.kind, first: false))
                }
            }
        }
        return out
    }

    /// The lines a `height`-line pane shows at the current scroll position, and whether there is more above.
    func visible(width: Int, height: Int) -> (lines: [Line], moreAbove: Bool) {
        let all = lines(width: width)
        let maxOffset = max(0, all.count - height)
        let off = min(scrollOffset, maxOffset)
        let end = all.count - off
        let start = max(0, end - height)
        return (Array(all[start..<end]), start > 0)
    }

    /// Scrolls by `delta` lines (positive: back in time), within the wrapped length.
    mutating func scroll(by delta: Int, width: Int, height: Int) {
        let maxOffset = max(0, lines(width: width).count - height)
        scrollOffset = min(maxOffset, max(0, min(scrollOffset, maxOffset) + delta))
    }
}
