import Foundation
import Testing
import TestSupport

/// The server crashes (SIGKILL) during a call between two terminals and comes back on the same port: what
/// each user sees is the call going on, the status line saying the server is being retried, and then both
/// back online, still in the call, listed as in a call; `h` still hangs up both sides.
@Suite(.serialized)
struct TUIServerRestartTests {
    /// The frame rate the status line shows for the call with `peer`, if it shows one.
    static func fps(_ screen: String, peer: String) -> Int? {
        guard let r = screen.range(of: #"in call with \#(peer) \d\d:\d\d (·|\|) \d+ fps"#, options: .regularExpression)
        else { return nil }
        return Int(screen[r].split(separator: " ").dropLast().last ?? "")
    }

    /// The user list's busy mark (`bob ● in call`, or `bob (in a call)` without UTF-8).
    static func listedInACall(_ list: [String], _ user: String) -> Bool {
        list.contains { $0.contains("\(user) ● in call") || $0.contains("\(user) (in a call)") }
    }

    @Test func aCallOutlivesAServerCrashAndRestart() throws {
        let tmux = try Tmux()
        defer { tmux.kill() }
        let (binary, port) = try TUICallExperienceTests.start(tmux, ["alice", "bob"], extra: "--auto-answer")
        try TUIEndToEndTests.select(tmux, "alice", user: "bob")
        try tmux.sendKeys("alice", "Enter")
        try tmux.waitForText("alice", "in call with bob")
        try tmux.waitForText("bob", "in call with alice")
        try tmux.waitUntil("alice", "video from bob") { (Self.fps(try tmux.capture("alice"), peer: "bob") ?? 0) >= 5 }

        // The server's process (the pane's command and anything it started) dies at once.
        let panePid = Int32(try tmux.format("server", "#{pane_pid}")) ?? 0
        for pid in [panePid] + childProcesses(of: panePid) { kill(pid, SIGKILL) }

        for (me, peer) in [("alice", "bob"), ("bob", "alice")] {
            try tmux.waitForText(me, "The call with \(peer) goes on without the server")
            try tmux.waitForText(me, "server unreachable, retrying in")
        }
        // Video keeps coming while the server is away (the status line's rate is the last second's).
        Thread.sleep(forTimeInterval: 3)
        for (me, peer) in [("alice", "bob"), ("bob", "alice")] {
            let screen = try tmux.capture(me)
            #expect(screen.contains("server unreachable"), "\(me) should still be without a server:\n\(screen)")
            #expect((Self.fps(screen, peer: peer) ?? 0) >= 5, "\(me)'s video stalled without the server:\n\(screen)")
        }

        let log = tmux.directory.appendingPathComponent("server2.log").path
        try tmux.newSession("server2", cols: 200, rows: 10,
                            command: "\(Tmux.quote(binary)) serve --port \(port) --log \(Tmux.quote(log))")
        for (me, peer) in [("alice", "bob"), ("bob", "alice")] {
            try tmux.waitForText(me, "Back on the server; still in the call with \(peer).", seconds: 20)
            try tmux.waitUntil(me, "\(peer) listed as in a call again") {
                Self.listedInACall(try TUIEndToEndTests.userList(tmux, me), peer)
            }
            let screen = try tmux.capture(me)
            #expect(screen.contains("online") && screen.contains("in call with \(peer)"), "\(screen)")
            #expect((Self.fps(screen, peer: peer) ?? 0) >= 5, "\(me)'s video after the restart:\n\(screen)")
        }

        try tmux.sendKeys("bob", "h")
        try tmux.waitForText("bob", "Call ended: you hung up.")
        try tmux.waitForText("alice", "Call ended: bob hung up.")
        try tmux.waitUntil("alice", "bob no longer in a call") {
            let list = try TUIEndToEndTests.userList(tmux, "alice").joined(separator: "\n")
            return try list.contains("bob") && !Self.listedInACall(TUIEndToEndTests.userList(tmux, "alice"), "bob")
        }
    }
}
