import Foundation
import Testing
import TestSupport

/// End-to-end tests of the terminal UI: the real `tuicall` binary (server and clients) in tmux,
/// asserting on what a user sees in the panes. Serialized: each starts its own tmux server,
/// signaling server and clients, and two debug clients already load two cores.
@Suite(.serialized)
struct TUIEndToEndTests {
    /// User list width at 160 columns (a fifth of the width, at most 24).
    static let userListWidth = 24

    /// Starts `tuicall serve --port 0` in its own tmux session and returns the port it bound.
    static func startServer(_ tmux: Tmux, binary: String, extra: String = "") throws -> Int {
        let log = tmux.directory.appendingPathComponent("server.log").path
        try tmux.newSession("server", cols: 200, rows: 10,
                            command: "\(Tmux.quote(binary)) serve --port 0 --log \(Tmux.quote(log)) \(extra)")
        var port = 0
        try tmux.waitUntil("server", "the server's listening line") {
            let text = try tmux.capture("server")
            guard let r = text.range(of: #"ws://127\.0\.0\.1:(\d+)/"#, options: .regularExpression) else { return false }
            port = Int(text[r].dropFirst("ws://127.0.0.1:".count).dropLast()) ?? 0
            return port > 0
        }
        return port
    }

    /// The client command line for `name` against `port` (test pattern camera, log in the test directory).
    static func client(_ binary: String, _ tmux: Tmux, name: String, server: String, extra: String = "") -> String {
        let log = tmux.directory.appendingPathComponent("\(name).log").path
        return "\(Tmux.quote(binary)) client --server \(server) --name \(name) --camera test --log \(Tmux.quote(log)) \(extra)"
    }

    /// The user-list column of a pane (rows below the title).
    static func userList(_ tmux: Tmux, _ target: String) throws -> [String] {
        try tmux.lines(target).dropFirst().prefix(40).map { String($0.prefix(userListWidth)) }
    }

    /// Moves alice's selection onto `user` (Home, then Down as often as its row says).
    static func select(_ tmux: Tmux, _ target: String, user: String) throws {
        let list = try userList(tmux, target)
        let index = try #require(list.firstIndex { $0.dropFirst().hasPrefix(user) }, "\(user) not in the user list: \(list)")
        try tmux.sendKeys(target, "Home")
        for _ in 0..<index { try tmux.sendKeys(target, "Down") }
    }

    @Test func userListsChatAndLocalVideo() throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        let port = try Self.startServer(tmux, binary: binary)
        try tmux.newSession("alice", command: Self.client(binary, tmux, name: "alice", server: "ws://127.0.0.1:\(port)"))
        try tmux.newSession("bob", command: Self.client(binary, tmux, name: "bob", server: "ws://127.0.0.1:\(port)"))

        for pane in ["alice", "bob"] {
            try tmux.waitUntil(pane, "both names in \(pane)'s user list") {
                let list = try Self.userList(tmux, pane).joined(separator: "\n")
                return list.contains("alice") && list.contains("bob")
            }
        }
        let aliceList = try Self.userList(tmux, "alice")
        #expect(aliceList.contains { $0.contains("alice") && $0.contains("(you)") }, "alice is marked as you: \(aliceList)")
        #expect(!aliceList.contains { $0.contains("bob") && $0.contains("(you)") })
        #expect(try tmux.capture("alice").contains("online"))

        // Chat: typed in alice's input, shown in bob's chat pane.
        try tmux.sendKeys("alice", "Tab")
        try tmux.sendText("alice", "hello from alice")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("bob", "alice: hello from alice")
        try tmux.waitForText("alice", "alice: hello from alice")
        // And back, with wide and non-ASCII characters.
        try tmux.sendKeys("bob", "Tab")
        try tmux.sendText("bob", "hi alice, ça va? 日本")
        try tmux.sendKeys("bob", "Enter")
        try tmux.waitForText("alice", "bob: hi alice, ça va? 日本")

        // The camera stays closed while only chatting (no webcam light); p opens it for a preview.
        #expect(try tmux.capture("alice").contains("camera closed"))
        #expect(try tmux.capture("alice").contains("Camera closed (it opens for calls)"))
        try tmux.sendKeys("alice", "Escape")
        try tmux.sendKeys("alice", "p")
        try tmux.waitForText("alice", "camera on")
        // Video: the local test pattern as 24-bit cells, many of them half blocks with two
        // colours (uniform cells are drawn as coloured spaces), and it moves.
        var first: [CapturedCell] = []
        try tmux.waitUntil("alice", "24-bit half-block video cells") {
            let rows = CapturedScreen.parse(try tmux.capture("alice", escapes: true))
            first = CapturedScreen.trueColorCells(rows)
            return first.count > 600 && CapturedScreen.trueColorHalfBlocks(rows).count > 20
        }
        let colours = Set(first.map(\.fg)).union(first.map(\.bg))
        #expect(colours.count >= 8, "the test pattern has many colours, saw \(colours.count)")
        var moved = false
        try tmux.waitUntil("alice", "the picture to change") {
            let now = CapturedScreen.trueColorCells(CapturedScreen.parse(try tmux.capture("alice", escapes: true)))
            moved = now != first
            return moved
        }
        #expect(moved)
        // ncurses never drew over the video (nor shifted it when alice's list grew): none of its
        // marker glyphs (braille patterns) shows in the pane.
        let videoRows = try tmux.lines("alice").prefix(27).map { String($0.dropFirst(Self.userListWidth + 1)) }
        let markers = videoRows.joined().unicodeScalars.filter { (0x2800...0x28FF).contains($0.value) }
        #expect(markers.isEmpty, "ncurses' marker glyphs are all covered by video: \(videoRows.joined(separator: "\n"))")
    }

    @Test func callKeysClicksAndARealCallBetweenTwoTerminals() throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        let port = try Self.startServer(tmux, binary: binary)
        let media = "--mic test --speaker none"
        try tmux.newSession("alice", command: Self.client(binary, tmux, name: "alice", server: "ws://127.0.0.1:\(port)", extra: media))
        // bob's microphone does not exist: his calls go on without sending audio, and he is told.
        try tmux.newSession("bob", command: Self.client(binary, tmux, name: "bob", server: "ws://127.0.0.1:\(port)",
                                                        extra: "--mic hw:97,0 --speaker none"))
        try tmux.waitUntil("alice", "both names in alice's list") {
            let list = try Self.userList(tmux, "alice").joined()
            return list.contains("bob") && list.contains("alice (you)")
        }

        // Calling yourself is refused, with the reason.
        try Self.select(tmux, "alice", user: "alice")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "You cannot call yourself")

        // Enter on bob rings bob; bob declines with d; alice is told.
        try Self.select(tmux, "alice", user: "bob")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "calling bob")
        try tmux.waitForText("bob", "alice is calling")
        try tmux.sendKeys("bob", "d")
        try tmux.waitForText("alice", "bob declined the call")

        // A mouse click on bob's row invites him again; bob accepts with a: both are in the call.
        let lines = try tmux.lines("alice")
        let row = try #require(lines.firstIndex { $0.prefix(Self.userListWidth).dropFirst().hasPrefix("bob") })
        #expect(try tmux.format("alice", "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}").contains("1"),
                "the client enabled mouse reporting")
        // X10 mouse report (TERM=tmux-256color: kmous=\E[M): button 1 press at (col 3, row), 1-based + 32.
        try tmux.sendBytes("alice", [0x1B, 0x5B, 0x4D, 32 + 0, UInt8(32 + 3), UInt8(32 + row + 1)])
        try tmux.sendBytes("alice", [0x1B, 0x5B, 0x4D, 32 + 3, UInt8(32 + 3), UInt8(32 + row + 1)])
        try tmux.waitForText("bob", "alice is calling")
        try tmux.sendKeys("bob", "a")
        try tmux.waitForText("bob", "Microphone hw:97,0 cannot be opened")
        try tmux.waitForText("alice", "in call with bob")
        try tmux.waitForText("bob", "in call with alice")
        // Live figures reach the status line once media flows (frames decoded from the peer), and
        // both video panes show the peer's picture as 24-bit half-block cells.
        try tmux.waitUntil("alice", "received video in alice's status line") {
            try tmux.capture("alice").range(of: #"in call with bob [0-9:]+ . [1-9][0-9]* fps"#, options: .regularExpression) != nil
        }
        for pane in ["alice", "bob"] {
            try tmux.waitUntil(pane, "remote video cells in \(pane)'s pane") {
                let rows = CapturedScreen.parse(try tmux.capture(pane, escapes: true))
                return CapturedScreen.trueColorCells(rows).count > 600 && CapturedScreen.trueColorHalfBlocks(rows).count > 20
            }
        }

        // Ctrl-Z during a call is refused (a stopped client would freeze the call for alice).
        try tmux.sendKeys("bob", "C-z")
        try tmux.waitForText("bob", "Hang up (h) before suspending")
        #expect(try tmux.capture("alice").contains("in call with bob"))

        // h in bob's terminal ends the call in both.
        try tmux.sendKeys("bob", "h")
        try tmux.waitForText("alice", "Call ended: bob hung up")
        try tmux.waitForText("bob", "Call ended: you hung up")
    }

    @Test func resizeRelaysOutAndNamesTheMinimum() throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        let port = try Self.startServer(tmux, binary: binary)
        try tmux.newSession("alice", command: Self.client(binary, tmux, name: "alice", server: "ws://127.0.0.1:\(port)"))
        try tmux.waitForText("alice", "online")
        try tmux.sendKeys("alice", "p")

        try tmux.run(["resize-window", "-t", "alice", "-x", "100", "-y", "30"])
        // 100 columns: the user list is 20 wide, the chat title runs to the last column, the
        // status and hint lines are the last two rows.
        try tmux.waitUntil("alice", "the 100x30 layout") {
            let lines = try tmux.lines("alice")
            guard lines.count >= 30 else { return false }
            guard let title = lines.firstIndex(where: { $0.contains("Chat") }) else { return false }
            let titleLine = lines[title]
            return titleLine.count == 100 && titleLine.hasSuffix("─") && titleLine.dropFirst(20).hasPrefix("├")
                && lines[28].contains("alice") && lines[28].contains("online")
        }
        try tmux.run(["resize-window", "-t", "alice", "-x", "50", "-y", "12"])
        try tmux.waitForText("alice", "Terminal too small: 50x12.")
        #expect(try tmux.capture("alice").contains("tuicall needs at least 60x16."))
        try tmux.run(["resize-window", "-t", "alice", "-x", "120", "-y", "40"])
        try tmux.waitUntil("alice", "the 120x40 layout") {
            let lines = try tmux.lines("alice")
            let tooSmall = try tmux.capture("alice").contains("too small")
            return lines.count >= 40 && lines[0].contains("Users (1)") && lines[38].contains("online") && !tooSmall
        }
        // The video is drawn again over the new pane.
        try tmux.waitUntil("alice", "video after the resize") {
            CapturedScreen.trueColorHalfBlocks(CapturedScreen.parse(try tmux.capture("alice", escapes: true))).count > 20
        }
    }

    /// Runs a client (no server needed) in an interactive shell, waits for its UI, ends it with
    /// `stop`, and checks the shell got the terminal back as it was.
    private func checkRestore(exitCode: Int32, sourceLocation: SourceLocation = #_sourceLocation,
                              _ stop: (Tmux) throws -> Void) throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        try tmux.newSession("sh", cols: 120, rows: 40, command: nil)
        try tmux.waitForText("sh", "$")
        #expect(try tmux.format("sh", "#{alternate_on}") == "0")
        let cmd = Self.client(binary, tmux, name: "alice", server: "ws://127.0.0.1:1")
        try tmux.sendText("sh", cmd + "; echo EXITED:$?")
        try tmux.sendKeys("sh", "Enter")
        try tmux.waitForText("sh", "server unreachable")
        #expect(try tmux.format("sh", "#{alternate_on}") == "1", "the UI runs on the alternate screen")
        try stop(tmux)
        try tmux.waitForText("sh", "EXITED:\(exitCode)", sourceLocation: sourceLocation)
        #expect(try tmux.format("sh", "#{alternate_on}") == "0", "back on the main screen", sourceLocation: sourceLocation)
        #expect(try tmux.format("sh", "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}") == "000",
                "mouse reporting off", sourceLocation: sourceLocation)
        #expect(try tmux.format("sh", "#{cursor_flag}") == "1", "cursor visible", sourceLocation: sourceLocation)
        // The shell still echoes and reads lines: the tty modes are back.
        try tmux.sendText("sh", "echo typed-$((6*7))")
        try tmux.sendKeys("sh", "Enter")
        try tmux.waitForText("sh", "typed-42", sourceLocation: sourceLocation)
    }

    @Test func quitRestoresTheTerminal() throws {
        try checkRestore(exitCode: 0) { tmux in try tmux.sendKeys("sh", "q") }
    }

    @Test func sigtermRestoresTheTerminal() throws {
        try checkRestore(exitCode: 128 + 15) { tmux in
            let shell = try #require(Int32(try tmux.format("sh", "#{pane_pid}")))
            let client = try #require(childProcesses(of: shell).first, "the client process")
            #expect(kill(client, SIGTERM) == 0)
        }
    }

    /// A crash (here SIGSEGV from outside; a real fault also goes on to Swift's backtracer) still gives the
    /// shell its screen, mouse, cursor and line mode back.
    @Test func crashRestoresTheTerminal() throws {
        try checkRestore(exitCode: 128 + 11) { tmux in
            let shell = try #require(Int32(try tmux.format("sh", "#{pane_pid}")))
            let client = try #require(childProcesses(of: shell).first, "the client process")
            #expect(kill(client, SIGSEGV) == 0)
        }
    }

    @Test func ctrlCRestoresTheTerminal() throws {
        try checkRestore(exitCode: 128 + 2) { tmux in try tmux.sendKeys("sh", "C-c") }
    }

    @Test func ctrlZSuspendsToTheShellAndFgResumes() throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        try tmux.newSession("sh", cols: 120, rows: 40, command: nil)
        try tmux.waitForText("sh", "$")
        try tmux.sendText("sh", Self.client(binary, tmux, name: "alice", server: "ws://127.0.0.1:1"))
        try tmux.sendKeys("sh", "Enter")
        try tmux.waitForText("sh", "server unreachable")
        let shell = try #require(Int32(try tmux.format("sh", "#{pane_pid}")))
        let client = try #require(childProcesses(of: shell).first, "the client process")

        // Ctrl-Z: the shell gets the terminal back as it was, and the client is stopped.
        try tmux.sendKeys("sh", "C-z")
        try tmux.waitUntil("sh", "the main screen back") { try tmux.format("sh", "#{alternate_on}") == "0" }
        #expect(try tmux.format("sh", "#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}") == "000")
        #expect(try tmux.format("sh", "#{cursor_flag}") == "1")
        try tmux.waitUntil("sh", "the client stopped") {
            let stat = (try? String(contentsOfFile: "/proc/\(client)/stat", encoding: .utf8)) ?? ""
            return stat.split(separator: ")").last?.split(separator: " ").first == "T"
        }

        // fg: the UI is back in full, and still answers keys.
        try tmux.sendText("sh", "fg")
        try tmux.sendKeys("sh", "Enter")
        try tmux.waitUntil("sh", "the UI back on the alternate screen") {
            try tmux.format("sh", "#{alternate_on}") == "1" && (try tmux.capture("sh").contains("server unreachable"))
        }
        try tmux.waitForText("sh", "q quit")  // the key hints are drawn again
        try tmux.sendKeys("sh", "q")
        try tmux.waitUntil("sh", "the client to exit") { !Tmux.isRunning(client) }
        try tmux.sendText("sh", "echo EXITED:$?")
        try tmux.sendKeys("sh", "Enter")
        try tmux.waitForText("sh", "EXITED:0")
        #expect(try tmux.format("sh", "#{alternate_on}") == "0")
    }

    @Test func unreachableServerIsRetriedWithBackoffShown() throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        try tmux.newSession("alice", command: Self.client(binary, tmux, name: "alice", server: "ws://127.0.0.1:1"))
        try tmux.waitForText("alice", "server unreachable, retrying in")
        try tmux.waitForText("alice", "(offline)")
        // Chat cannot be sent: said so, and the text stays in the input.
        try tmux.sendKeys("alice", "Tab")
        try tmux.sendText("alice", "lost line")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "Not connected to the server: the line was not sent")
        #expect(try tmux.capture("alice").contains("> lost line"))
    }

    @Test func configFileAndOverrides() throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        let port = try Self.startServer(tmux, binary: binary)
        let configDir = tmux.directory.appendingPathComponent("config/tuicall")
        try FileManager.default.createDirectory(at: configDir, withIntermediateDirectories: true)
        try "# test config\nname = carol\nrender = ascii\ncamera = /dev/video97\n"
            .write(to: configDir.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let log = tmux.directory.appendingPathComponent("carol.log").path
        // No --name, --render or --camera: all three come from the config file.
        try tmux.newSession("carol", command: "\(Tmux.quote(binary)) client --server ws://127.0.0.1:\(port) --log \(Tmux.quote(log))")
        try tmux.waitUntil("carol", "carol in the user list") { try Self.userList(tmux, "carol").joined().contains("carol (you)") }
        try tmux.sendKeys("carol", "p")
        // The missing camera falls back to the test pattern, with the reason (when it is opened).
        try tmux.waitForText("carol", "Camera /dev/video97 cannot be used")
        // ASCII rendering: coloured characters from the ramp, no half blocks.
        try tmux.waitUntil("carol", "ASCII video") {
            let cells = CapturedScreen.parse(try tmux.capture("carol", escapes: true)).flatMap { $0 }
            let coloured = cells.filter { if case .rgb = $0.fg { return $0.glyph.isASCII && $0.glyph != " " }; return false }
            return coloured.count > 300 && !cells.contains { $0.glyph == "▀" }
        }
        // The command line wins over the config file: --color 256 and --render half.
        try tmux.newSession("dave", command: Self.client(binary, tmux, name: "dave", server: "ws://127.0.0.1:\(port)",
                                                         extra: "--color 256 --render half"))
        try tmux.waitForText("dave", "online")
        try tmux.sendKeys("dave", "p")
        try tmux.waitUntil("dave", "256-colour half blocks") {
            let cells = CapturedScreen.parse(try tmux.capture("dave", escapes: true)).flatMap { $0 }
            let blocks = cells.filter { $0.glyph == "▀" }
            let palette = blocks.filter { if case .palette(let i) = $0.fg, i >= 16 { return true }; return false }
            let rgb = blocks.filter { if case .rgb = $0.fg { return true }; return false }
            return palette.count > 50 && rgb.isEmpty
        }
    }
}
