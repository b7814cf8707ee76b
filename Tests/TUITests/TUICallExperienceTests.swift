import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// The call experience as a person meets it in a real terminal (the real `tuicall` in tmux): pastes that
/// cannot run commands, ringing that can be answered from the chat input and that ends, honest messages,
/// a camera that is open only when needed, chat habits, connection problems explained.
@Suite(.serialized)
struct TUICallExperienceTests {
    /// Server plus clients `names` (test pattern, tone, no speaker), each with its own state directory.
    static func start(_ tmux: Tmux, _ names: [String], extra: String = "") throws -> (binary: String, port: Int) {
        let binary = try TuicallBinary.path()
        let port = try TUIEndToEndTests.startServer(tmux, binary: binary)
        for name in names {
            try tmux.newSession(name, command: client(binary, tmux, name: name, server: "ws://127.0.0.1:\(port)", extra: extra),
                                env: ["XDG_STATE_HOME": tmux.directory.appendingPathComponent("state-\(name)").path])
        }
        for name in names { try tmux.waitForText(name, "online") }
        for name in names {
            try tmux.waitUntil(name, "everyone in \(name)'s list") {
                let list = try TUIEndToEndTests.userList(tmux, name).joined(separator: "\n")
                return names.allSatisfy { list.contains($0) }
            }
        }
        return (binary, port)
    }

    static func client(_ binary: String, _ tmux: Tmux, name: String, server: String, extra: String = "") -> String {
        TUIEndToEndTests.client(binary, tmux, name: name, server: server, extra: "--mic test --speaker none " + extra)
    }

    /// Pastes `text` as a terminal does when the application asked for bracketed paste (DECSET 2004).
    static func paste(_ tmux: Tmux, _ target: String, _ text: String) throws {
        try tmux.run(["set-buffer", "-b", "paste", text])
        try tmux.run(["paste-buffer", "-p", "-b", "paste", "-t", target])
    }

    @Test func aPasteIsAlwaysTextNeverCommands() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        _ = try Self.start(tmux, ["alice", "bob"])
        // With the user list focused, a Tab would switch to the input and "q" quit, Enter call: not in a paste.
        try Self.paste(tmux, "alice", "quantity\tof things\nhello q\nbye")
        try tmux.waitForText("alice", "> quantity of things hello q bye")
        try tmux.waitForText("alice", "Pasted 3 lines as one")
        #expect(try tmux.format("alice", "#{pane_dead}") == "0")
        #expect(!(try tmux.capture("alice").contains("calling bob")))
        // Nothing was sent: the pasted line waits for Enter.
        #expect(!(try tmux.capture("bob").contains("quantity")))
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("bob", "alice: quantity of things hello q bye")
    }

    @Test func ringingIsAnsweredFromTheChatInputAndBothSidesLogTheEnd() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        _ = try Self.start(tmux, ["alice", "bob"])
        // bob is typing when alice calls.
        try tmux.sendKeys("bob", "Tab")
        try tmux.sendText("bob", "half typed")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "calling bob…")
        try tmux.waitForText("bob", "alice is calling")
        try tmux.waitForText("bob", "Enter accept, Esc decline")
        // The terminal is told: bell and title.
        try tmux.waitUntil("bob", "the title") { try tmux.format("bob", "#{pane_title}").contains("alice is calling") }
        #expect(try tmux.format("bob", "#{window_bell_flag}") == "1")
        Thread.sleep(forTimeInterval: 0.6)  // Enter acts on a call that has rung for 0.5 s
        try tmux.sendKeys("bob", "Enter")
        try tmux.waitForText("bob", "in call with alice")
        #expect(try tmux.capture("bob").contains("> half typed"))
        try tmux.waitUntil("alice", "call time on the status line") {
            try tmux.capture("alice").range(of: #"in call with bob 00:0[0-9]"#, options: .regularExpression) != nil
        }
        // q during a call asks first.
        try tmux.sendKeys("alice", "q")
        try tmux.waitForText("alice", "Press q again to end the call with bob and quit")
        #expect(try tmux.format("alice", "#{pane_dead}") == "0")
        try tmux.sendKeys("alice", "h")
        try tmux.waitForText("alice", "Call ended: you hung up.")
        try tmux.waitForText("bob", "Call ended: alice hung up.")

        // Again; bob declines from the input with Esc, and each side says who did what.
        Thread.sleep(forTimeInterval: 0.5)
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("bob", "alice is calling")
        Thread.sleep(forTimeInterval: 0.6)
        try tmux.sendKeys("bob", "Escape")
        try tmux.waitForText("bob", "Call ended: you declined the call.")
        try tmux.waitForText("alice", "Call ended: bob declined the call.")
        #expect(try tmux.capture("bob").contains("> half typed"))
    }

    @Test func unansweredCallsEndAndBusyUsersAreShownAndTold() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let (binary, port) = try Self.start(tmux, ["alice", "bob", "carol"], extra: "--ring-timeout 3 --auto-answer")
        // carol answers automatically; alice calls her: both busy, and bob sees it.
        try TUIEndToEndTests.select(tmux, "alice", user: "carol")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "in call with carol")
        try tmux.waitUntil("bob", "alice and carol marked busy") {
            let list = try TUIEndToEndTests.userList(tmux, "bob").joined(separator: "\n")
            return list.contains("alice (in a call)") && list.contains("carol (in a call)")
        }
        // A caller the TUI cannot stop (a headless client) reaches busy carol: it hears "busy", she hears of it.
        let stats = tmux.directory.appendingPathComponent("dave.json").path
        try tmux.newSession("dave", command: "\(Tmux.quote(binary)) headless --server ws://127.0.0.1:\(port) --name dave "
                            + "--call carol --duration 5 --stats-json \(Tmux.quote(stats))")
        try tmux.waitForText("carol", "Missed call from dave (you were in a call")
        try tmux.waitUntil("dave", seconds: 20, "dave's stats") { FileManager.default.fileExists(atPath: stats) }
        let daveStats = try String(contentsOfFile: stats, encoding: .utf8)
        #expect(daveStats.contains("is in another call"), "\(daveStats)")
        try tmux.sendKeys("alice", "h")
        try tmux.waitForText("carol", "Call ended: alice hung up.")

        // Nobody answers bob's call to alice within 3 s (her auto-answer is off for this: she is new).
        try tmux.newSession("erin", command: Self.client(binary, tmux, name: "erin", server: "ws://127.0.0.1:\(port)",
                                                         extra: "--ring-timeout 3"))
        try tmux.waitForText("erin", "online")
        try TUIEndToEndTests.select(tmux, "bob", user: "erin")
        try tmux.sendKeys("bob", "Enter")
        try tmux.waitForText("bob", "calling erin")
        // The caller sees how long it has rung.
        try tmux.waitUntil("bob", "ringing time on the status line") {
            try tmux.capture("bob").range(of: #"calling erin… [1-9] s"#, options: .regularExpression) != nil
        }
        try tmux.waitForText("bob", "Call ended: erin did not answer.", seconds: 10)
        try tmux.waitForText("erin", "Missed call from bob.", seconds: 10)
    }

    @Test func theCameraOpensOnlyForCallsAndOffIsSeenByThePeer() throws {
        // The caller's name is Chinese: bob's video pane must draw it, not "??".
        let tmux = try Tmux()
        defer { tmux.kill() }
        let caller = "王芳"
        _ = try Self.start(tmux, [caller, "bob"], extra: "--auto-answer")
        for pane in [caller, "bob"] { #expect(try tmux.capture(pane).contains("camera closed")) }
        try tmux.sendKeys(caller, "Enter")
        try tmux.waitForText(caller, "in call with bob")
        try tmux.waitForText(caller, "camera on")
        // Camera off: closed here, "camera is off" there instead of a frozen picture; mute likewise.
        try tmux.sendKeys(caller, "v")
        try tmux.sendKeys(caller, "m")
        try tmux.waitForText("bob", "王芳's camera is off")
        try tmux.waitForText("bob", "王芳 is muted")
        try tmux.waitForText("bob", "(王芳 muted)")
        try tmux.waitForText(caller, "mic muted camera off")
        #expect(!(try tmux.capture("bob").contains("??")))
        try tmux.sendKeys(caller, "v")
        try tmux.waitForText(caller, "camera on")
        try tmux.waitUntil("bob", "王芳's picture back") { !(try tmux.capture("bob").contains("王芳's camera is off")) }
        try tmux.sendKeys(caller, "h")
        // The call ended: the camera closes (after a second's grace for renegotiations).
        try tmux.waitForText(caller, "camera closed", seconds: 5)
        try tmux.waitForText("bob", "camera closed", seconds: 5)
    }

    @Test func chatCommandsHistoryAndConversationLogs() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let (binary, port) = try Self.start(tmux, ["alice", "bob"])
        try tmux.sendKeys("alice", "Tab")
        for line in ["first line", "/msg bob just for you", "/me waves", "if a<b and c>d"] {
            try tmux.sendText("alice", line)
            try tmux.sendKeys("alice", "Enter")
        }
        try tmux.waitForText("bob", "alice → you: just for you")
        try tmux.waitForText("alice", "you → bob: just for you")
        try tmux.waitForText("bob", "* alice waves")
        try tmux.waitForText("bob", "alice: if a<b and c>d")
        // Up brings back what was sent.
        try tmux.sendKeys("alice", "Up")
        try tmux.waitForText("alice", "> if a<b and c>d")
        try tmux.sendKeys("alice", "C-u")
        try tmux.sendText("alice", "/help")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "/msg NAME text")
        // The help screen lists every key; any key closes it.
        try tmux.sendKeys("alice", "Escape")
        try tmux.sendKeys("alice", "?")
        try tmux.waitForText("alice", "tuicall keys (any key closes this)")
        try tmux.sendKeys("alice", "x")
        try tmux.waitUntil("alice", "the help closed") { !(try tmux.capture("alice").contains("tuicall keys")) }
        // A newcomer sees the last public lines, marked, and not the private one.
        try tmux.newSession("carol", command: Self.client(binary, tmux, name: "carol", server: "ws://127.0.0.1:\(port)"))
        try tmux.waitForText("carol", "Earlier in this chat")
        try tmux.waitForText("carol", "alice: first line")
        #expect(!(try tmux.capture("carol").contains("just for you")))
        // Conversations are logged weechat-style, the private one in its own file.
        let logs = tmux.directory.appendingPathComponent("state-bob/tuicall/logs")
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path).sorted()
        #expect(files == ["127.0.0.1_\(port).alice.log", "127.0.0.1_\(port).public.log"], "\(files)")
        let publicLog = try String(contentsOf: logs.appendingPathComponent("127.0.0.1_\(port).public.log"), encoding: .utf8)
        #expect(publicLog.range(of: #"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\talice\tfirst line"#, options: .regularExpression) != nil)
    }

    @Test func connectionProblemsAreExplained() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let binary = try TuicallBinary.path()
        // A refused port says so, and keeps trying.
        try tmux.newSession("refused", command: Self.client(binary, tmux, name: "alice", server: "ws://127.0.0.1:1"))
        try tmux.waitForText("refused", "connection refused by 127.0.0.1:1")
        try tmux.waitForText("refused", "retrying in")

        // wss with a self-signed certificate: serve prints a URL clients accept (the certificate's host name).
        let cert = tmux.directory.appendingPathComponent("cert.pem").path, key = tmux.directory.appendingPathComponent("key.pem").path
        let rc = try Tmux.spawnAndWait(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                                        "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1",
                                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                                       environment: ProcessInfo.processInfo.environment, stdout: "/dev/null", stderr: "/dev/null")
        #expect(rc == 0)
        try tmux.newSession("tls", cols: 200, rows: 10, command: "\(Tmux.quote(binary)) serve --port 0 --tls-cert \(Tmux.quote(cert)) "
                            + "--tls-key \(Tmux.quote(key)) --log \(Tmux.quote(tmux.directory.appendingPathComponent("tls.log").path))")
        var url = ""
        try tmux.waitUntil("tls", "the URL to give clients") {
            let text = try tmux.capture("tls")
            guard let r = text.range(of: #"--server wss://localhost:\d+/"#, options: .regularExpression) else { return false }
            url = String(text[r].dropFirst("--server ".count))
            return true
        }
        // Not trusted: said, with the certificate's names and the remedy, and not retried.
        try tmux.newSession("untrusting", command: Self.client(binary, tmux, name: "bob", server: url))
        try tmux.waitForText("untrusting", "not trusted")
        try tmux.waitForText("untrusting", "not retrying")
        #expect(try tmux.capture("untrusting").contains("--ca-file"))
        try tmux.newSession("trusting", command: Self.client(binary, tmux, name: "carol", server: url, extra: "--ca-file \(Tmux.quote(cert))"))
        try tmux.waitForText("trusting", "online")
    }

    @Test func deviceProblemsGoToTheChatAndTheStatusLineKeepsThem() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let binary = try TuicallBinary.path()
        let port = try TUIEndToEndTests.startServer(tmux, binary: binary)
        let server = "ws://127.0.0.1:\(port)"
        // hw:9 is no sound card here (nor on most machines).
        try tmux.newSession("alice", command: TUIEndToEndTests.client(binary, tmux, name: "alice", server: server,
                                                                      extra: "--mic hw:9 --speaker hw:9"))
        try tmux.newSession("bob", command: Self.client(binary, tmux, name: "bob", server: server, extra: "--auto-answer"))
        try tmux.waitForText("alice", "online")
        try tmux.waitForText("bob", "online")
        try tmux.waitForText("alice", "Speaker hw:9 cannot be opened")
        try tmux.waitUntil("alice", "bob listed") { try TUIEndToEndTests.userList(tmux, "alice").joined().contains("bob") }
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "in call with bob")
        try tmux.waitForText("alice", "Microphone hw:9 cannot be opened")
        try tmux.waitForText("alice", "mic failed camera on speaker failed")
        // Long after the notice, the chat and the status line still say it (it used to vanish after 6 s).
        Thread.sleep(forTimeInterval: 7)
        let screen = try tmux.capture("alice")
        #expect(screen.contains("Microphone hw:9 cannot be opened"), "\(screen)")
        #expect(screen.contains("mic failed camera on speaker failed"), "\(screen)")
        // The narrowest terminal still shows how to quit.
        try tmux.run(["resize-window", "-t", "alice", "-x", "60", "-y", "16"])
        try tmux.waitUntil("alice", "hints at 60 columns ending in q quit") {
            let lines = try tmux.lines("alice").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return lines.last?.hasSuffix("q quit") == true && lines.last!.count <= 60
        }
    }

    @Test func twoClientsShareOneEmbeddedServerAndTheRestTakeOver() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let binary = try TuicallBinary.path()
        let port = Int.random(in: 20_000...40_000)
        let extra = "--default-port \(port) --camera test --mic test --speaker none"
        func command(_ name: String) -> String {
            let log = tmux.directory.appendingPathComponent("\(name).log").path
            return "\(Tmux.quote(binary)) --name \(name) --log \(Tmux.quote(log)) \(extra)"
        }
        // Started together, without --server: one hosts, the others join (no "Address already in use").
        let first = ["alice", "bob", "dave"]
        for name in first { try tmux.newSession(name, command: command(name)) }
        for pane in first {
            try tmux.waitUntil(pane, "all online on one server") {
                let list = try TUIEndToEndTests.userList(tmux, pane).joined(separator: "\n")
                return first.allSatisfy { list.contains($0) }
            }
        }
        let hosts = try first.filter { try tmux.capture($0).contains("(embedded)") }
        #expect(hosts.count == 1, "\(hosts)")
        let host = try #require(hosts.first)
        let guests = first.filter { $0 != host }
        try tmux.waitForText(host, "Browsers can join this chat at http://127.0.0.1:\(port)/")
        // It serves the web client too.
        let page = try String(contentsOf: URL(string: "http://127.0.0.1:\(port)/")!, encoding: .utf8)
        #expect(page.contains("chat-log"), "\(page.prefix(200))")
        // The host warns before leaving the others without a server; then one of them takes over and
        // the other reconnects to it.
        try tmux.sendKeys(host, "q")
        try tmux.waitForText(host, "2 other users are on the server this client hosts")
        try tmux.sendKeys(host, "q")
        try tmux.waitUntil(host, "the host to exit") { try tmux.format(host, "#{pane_dead}") == "1" }
        try tmux.waitUntil(guests[0], seconds: 20, "one guest hosting") {
            try guests.contains { try tmux.capture($0).contains("this client hosts the chat server now") }
        }
        for pane in guests {
            try tmux.waitUntil(pane, seconds: 20, "both guests together again") {
                let list = try TUIEndToEndTests.userList(tmux, pane).joined(separator: "\n")
                return guests.allSatisfy { list.contains($0) } && !list.contains(host)
            }
        }
        try tmux.newSession("carol", command: command("carol"))
        try tmux.waitUntil("carol", "carol joins the new host") {
            let list = try TUIEndToEndTests.userList(tmux, "carol").joined(separator: "\n")
            return guests.allSatisfy { list.contains($0) } && list.contains("carol")
        }
    }
}

/// The command line and the config file, without a terminal.
@Suite struct ClientCommandLineTests {
    static func run(_ args: [String], config: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tuicall-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("tuicall"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        if let config { try config.write(to: dir.appendingPathComponent("tuicall/config"), atomically: true, encoding: .utf8) }
        let out = dir.appendingPathComponent("out").path, err = dir.appendingPathComponent("err").path
        var env = ProcessInfo.processInfo.environment
        env["XDG_CONFIG_HOME"] = dir.path
        let status = try Tmux.spawnAndWait([try TuicallBinary.path()] + args, environment: env, stdout: out, stderr: err)
        return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "", (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    @Test func versionAndEveryLongOptionInTheConfigFile() throws {
        #expect(try Self.run(["--version"]).out.hasPrefix("tuicall 0."))
        // Every long option `tuicall client --help` lists is a config key.
        let help = try Self.run(["client", "--help"]).out
        // Option lines: "  --name <name>", "  --bell/--no-bell", "  --no-log".
        let names = Set(help.split(separator: "\n").compactMap { line in
            line.firstMatch(of: /^  --([a-z][a-z0-9-]+)/).map { String($0.1) }
        })
            .subtracting(["help", "version", "check-config"])
        #expect(names.count >= 18, "\(names.sorted())")
        let config = names.sorted().map { name in
            switch name {
            case "auto-answer", "bell", "no-log", "keep-retrying", "relay-only": "\(name) = true"
            case "ice-server": "ice-server = turn:127.0.0.1:3478"
            case "server": "server = ws://127.0.0.1:6503"
            case "render": "render = half"
            case "color": "color = 256"
            case "log-level": "log-level = info"
            case "ring-timeout": "ring-timeout = 30"
            case "ca-file": "ca-file = /etc/hostname"
            default: "\(name) = x"
            }
        }.joined(separator: "\n")
        let checked = try Self.run(["--check-config"], config: config)
        #expect(checked.status == 0, "\(checked.err)")
        for name in names { #expect(checked.out.contains("--\(name)"), "\(name) not taken from the config") }
        // An unknown key or a bad value names the file and the line.
        let bad = try Self.run(["--check-config"], config: "name = a\n\ncolour = 256\n")
        #expect(bad.status != 0)
        #expect(bad.err.contains("tuicall/config:3: unknown key `colour`"), "\(bad.err)")
        let badFlag = try Self.run(["--check-config"], config: "bell = maybe\n")
        #expect(badFlag.err.contains("tuicall/config:1: bell = maybe: use true or false"), "\(badFlag.err)")
        for (line, want) in [("render = sideways", "render = sideways: use half, quadrant or ascii"),
                             ("ring-timeout = soon", "ring-timeout = soon: "),
                             ("ice-server = http://x", "ice-server = http://x: "),
                             ("log-level = loud", "log-level = loud: use trace")] {
            let r = try Self.run(["--check-config"], config: "name = a\n" + line + "\n")
            #expect(r.status != 0 && r.err.contains("tuicall/config:2: " + want), "\(line): \(r.err)")
        }
    }
}
