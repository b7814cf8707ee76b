import Media

/// Which pane takes the keys.
enum Focus: Equatable { case users, input }

/// Where the call stands, as the UI shows it.
enum CallPhase: Equatable {
    case idle
    case ringing(from: String)
    case calling(String)
    case inCall(String)

    /// The other side, when there is one.
    var peer: String? {
        switch self {
        case .idle: nil
        case .ringing(let p), .calling(let p), .inCall(let p): p
        }
    }
}

/// Where the signaling connection stands, as the UI shows it.
enum ConnectionPhase: Equatable {
    case connecting(attempt: Int)
    case connected
    case online
    case disconnected(reason: String)
    /// Waiting until `untilNs` (MonotonicClock) before the next attempt.
    case retrying(untilNs: UInt64, reason: String)
    /// Gave up on a problem retrying cannot fix.
    case failed(reason: String)
    case stopped
}

/// The chat input line: text and cursor, edited by keys.
struct LineEditor: Equatable {
    /// Longest chat line accepted (the server limits messages to 64 KiB).
    static let maxLength = 2000
    private(set) var scalars: [Unicode.Scalar] = []
    private(set) var cursor = 0

    var text: String { String(String.UnicodeScalarView(scalars)) }

    mutating func insert(_ s: Unicode.Scalar) {
        guard scalars.count < LineEditor.maxLength else { return }
        scalars.insert(s, at: cursor); cursor += 1
    }
    mutating func backspace() { if cursor > 0 { scalars.remove(at: cursor - 1); cursor -= 1 } }
    mutating func delete() { if cursor < scalars.count { scalars.remove(at: cursor) } }
    mutating func left() { cursor = max(0, cursor - 1) }
    mutating func right() { cursor = min(scalars.count, cursor + 1) }
    mutating func home() { cursor = 0 }
    mutating func end() { cursor = scalars.count }
    mutating func clear() { scalars.removeAll(); cursor = 0 }
    mutating func replace(with text: String) {
        scalars = Array(text.unicodeScalars.prefix(LineEditor.maxLength))
        cursor = scalars.count
    }

    /// The part of the line to show in `width` cells so that the cursor is visible, and the
    /// cursor's column within it.
    func window(width: Int) -> (text: String, cursorCol: Int) {
        guard width > 1 else { return ("", 0) }
        var start = 0
        func cells(_ r: Range<Int>) -> Int { scalars[r].reduce(0) { $0 + TextWidth.cells($1) } }
        while cells(start..<cursor) > width - 1 { start += 1 }
        var end = cursor, used = cells(start..<cursor)
        while end < scalars.count, used + TextWidth.cells(scalars[end]) <= width - 1 {
            used += TextWidth.cells(scalars[end]); end += 1
        }
        return (String(String.UnicodeScalarView(scalars[start..<end])), cells(start..<cursor))
    }
}

/// A transient line on the status bar (a refusal, a notice), shown until `untilNs`.
struct StatusMessage: Equatable {
    /// How long a message stays, in nanoseconds (6 s).
    static let defaultDurationNs: UInt64 = 6_000_000_000
    var text: String
    var warning: Bool
    var untilNs: UInt64
}

/// Everything the UI shows except video: owned by the UI thread.
struct UIModel {
    var server: String
    /// "embedded" when this process runs the server.
    var serverNote: String?
    var myName: String
    var users: [String] = []
    var selected = 0
    var focus: Focus = .users
    var input = LineEditor()
    var chat = ChatLog()
    var connection: ConnectionPhase = .connecting(attempt: 1)
    var call: CallPhase = .idle
    /// When the current call phase began (MonotonicClock): ringing time, then call duration.
    var callPhaseSinceNs: UInt64 = 0
    var stats: CallFigures?
    var micMuted = false
    var cameraOff = false
    /// The camera preview while idle: off at start (the camera opens only when asked or in a call).
    var showPreview = false
    /// Our own picture in the corner during a call (`p` in a call).
    var showPip = true
    var showStats = false
    /// The help screen (`?`, F1).
    var showHelp = false
    /// What the peer's last `media-state` said.
    var peerMicMuted = false
    var peerCameraOff = false
    /// Who the server says is in a call.
    var busyUsers: Set<String> = []
    var mic: DeviceStatus = .idle
    var speaker: DeviceStatus = .idle
    /// `q` during a call asks first: a second `q` before this time quits.
    var quitArmedUntilNs: UInt64 = 0
    /// Lines sent from the input, oldest first (Up/Down), and where Up/Down stands in it.
    var sentLines: [String] = []
    var historyIndex: Int?
    var message: StatusMessage?
    /// Whether a user list arrived yet (joins/leaves are announced only after the first).
    var haveUserList = false

    init(server: String, serverNote: String?, myName: String) {
        self.server = server; self.serverNote = serverNote; self.myName = myName
    }

    var selectedUser: String? { users.indices.contains(selected) ? users[selected] : nil }

    mutating func say(_ text: String, warning: Bool = false, now: UInt64 = MonotonicClock.now()) {
        message = StatusMessage(text: text, warning: warning, untilNs: now + StatusMessage.defaultDurationNs)
    }

    /// Takes a new user list: keeps the selection on the same name and notes joins and leaves in the chat.
    mutating func setUsers(_ list: [String], time: String) {
        let before = Set(users), keep = selectedUser
        let first = !haveUserList
        if haveUserList {
            for u in list where !before.contains(u) {
                chat.append(.init(time: time, name: nil, text: "\(u) joined", kind: .system))
            }
            let now = Set(list)
            for u in users where !now.contains(u) {
                chat.append(.init(time: time, name: nil, text: "\(u) left", kind: .system))
            }
        }
        haveUserList = true
        users = list
        if let keep, let i = list.firstIndex(of: keep) { selected = i }
        // At first the selection is on the first other user: Enter calls someone, not yourself.
        if first || keep == myName, let other = list.firstIndex(where: { $0 != myName }) { selected = other }
        selected = min(max(0, selected), max(0, list.count - 1))
    }

    /// Enters a new call phase (its clock restarts).
    mutating func setCall(_ phase: CallPhase, now: UInt64 = MonotonicClock.now()) {
        if phase != call { callPhaseSinceNs = now }
        call = phase
        if case .idle = phase { peerMicMuted = false; peerCameraOff = false; stats = nil }
    }

    /// Up (-1) / Down (+1) through the lines sent; past the newest, an empty line.
    mutating func recall(_ delta: Int) {
        guard !sentLines.isEmpty else { return }
        var i = (historyIndex ?? sentLines.count) + delta
        i = max(0, min(sentLines.count, i))
        historyIndex = i == sentLines.count ? nil : i
        input.replace(with: i == sentLines.count ? "" : sentLines[i])
    }

    /// Remembers a sent line for Up/Down (at most `maxSentLines`).
    mutating func rememberSent(_ line: String) {
        if sentLines.last != line { sentLines.append(line) }
        if sentLines.count > UIModel.maxSentLines { sentLines.removeFirst() }
        historyIndex = nil
    }
    /// Sent lines Up/Down can recall. 100.
    static let maxSentLines = 100

    /// Moves the selection by `delta` within the list.
    mutating func moveSelection(_ delta: Int) {
        guard !users.isEmpty else { return }
        selected = min(users.count - 1, max(0, selected + delta))
    }

    /// Why calling `user` is refused right now, or nil when it may go ahead (engine permitting).
    func refusalToCall(_ user: String) -> String? {
        if user == myName { return "You cannot call yourself (\(user)): pick another user with ↑/↓." }
        switch call {
        case .idle: break
        case .inCall(let p): return "Already in a call with \(p): press h to hang up first."
        case .calling(let p): return "Already calling \(p): press h to cancel first."
        case .ringing(let p): return "\(p) is calling you: press Enter to accept or Esc to decline first."
        }
        if connection != .online { return "Not connected to the server: calls need it (see the status line)." }
        if busyUsers.contains(user) { return "\(user) is in another call right now; try again later." }
        return nil
    }
}
