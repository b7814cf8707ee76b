/// A rectangle of terminal cells (0-based column `x`, row `y`).
struct Rect: Sendable, Equatable {
    var x: Int, y: Int, w: Int, h: Int
    func contains(row: Int, col: Int) -> Bool { row >= y && row < y + h && col >= x && col < x + w }
}

/// Where each pane sits for a terminal size:
/// ```
/// Users (n) │ video (remote large; local preview as picture-in-picture)
/// alice     │
/// bob       ├── Chat ──────────────
///           │ 12:01 bob: hi
///           │ > input
/// status: server · name · connection · call · stats
/// message or key hints
/// ```
struct Layout: Sendable, Equatable {
    /// Smallest usable terminal: a 14-column user list beside a 45×9 video pane and a 3-line chat.
    static let minCols = 60
    static let minRows = 16
    /// User list width: a fifth of the terminal, within these bounds.
    static let userListMinWidth = 14
    static let userListMaxWidth = 24
    /// Share of the rows above the status lines given to the chat (title, messages, input).
    static let chatShare = 0.36
    static let chatMinRows = 5

    let cols: Int
    let rows: Int
    let users: Rect
    /// Column of the line between the user list and the right side.
    let dividerCol: Int
    let video: Rect
    /// Row of the chat title line (between video and chat).
    let chatTitleRow: Int
    let chat: Rect
    let input: Rect
    let statusRow: Int
    let hintRow: Int

    /// Whether the terminal is below the minimum (only a message is shown).
    var tooSmall: Bool { cols < Layout.minCols || rows < Layout.minRows }

    init(cols: Int, rows: Int) {
        self.cols = cols; self.rows = rows
        let c = max(cols, Layout.minCols), r = max(rows, Layout.minRows)
        let mainRows = r - 2
        let uw = min(Layout.userListMaxWidth, max(Layout.userListMinWidth, c / 5))
        users = Rect(x: 0, y: 0, w: uw, h: mainRows)
        dividerCol = uw
        let x0 = uw + 1, rw = c - x0
        let chatRows = max(Layout.chatMinRows, Int((Double(mainRows) * Layout.chatShare).rounded()))
        let videoRows = mainRows - chatRows
        video = Rect(x: x0, y: 0, w: rw, h: videoRows)
        chatTitleRow = videoRows
        chat = Rect(x: x0, y: videoRows + 1, w: rw, h: chatRows - 2)
        input = Rect(x: x0, y: mainRows - 1, w: rw, h: 1)
        statusRow = r - 2
        hintRow = r - 1
    }

    /// The picture-in-picture box inside the video pane (pane-relative): a quarter of its width,
    /// 4:3 for half-block cells, in the bottom-right corner one column from the edge.
    var pictureInPicture: Rect {
        let w = max(12, video.w / 4)
        let h = min(max(3, Int((Double(w) * 3 / 8).rounded())), max(3, video.h / 2))
        return Rect(x: max(0, video.w - w - 1), y: max(0, video.h - h), w: min(w, video.w), h: min(h, video.h))
    }

    /// The message shown instead of the UI when the terminal is too small, as short lines.
    var tooSmallMessage: [String] {
        ["Terminal too small: \(cols)x\(rows).", "tuicall needs at least \(Layout.minCols)x\(Layout.minRows).",
         "Enlarge the window (q quits)."]
    }
}
