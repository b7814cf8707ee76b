import BrowserDriver
import Capture
import Foundation
import Media
import Signaling
import Testing
import TestSupport

/// The promise of the project, as users meet it: a terminal user (the real `tuicall` in tmux) and a
/// browser user (headless Chromium on the web client of `tuicall serve`) call each other, both ways.
@Suite(.serialized)
struct TUIBrowserCallTests {
    /// alice's status line shows live fps and her pane shows the browser's picture as 24-bit half-blocks.
    static func waitForRemoteVideo(_ tmux: Tmux) throws {
        try tmux.waitUntil("alice", seconds: 20, "received video in alice's status line") {
            try tmux.capture("alice").range(of: #"in call with web [0-9:]+ . [1-9][0-9]* fps"#, options: .regularExpression) != nil
        }
        try tmux.waitUntil("alice", "the browser's video in alice's pane") {
            let rows = CapturedScreen.parse(try tmux.capture("alice", escapes: true))
            return CapturedScreen.trueColorCells(rows).count > 600 && CapturedScreen.trueColorHalfBlocks(rows).count > 20
        }
    }

    /// Cells (in `rows` × `cols` of a capture) showing the yellow or magenta bars of tuicall's own test
    /// pattern: colours Chromium's green fake camera never shows.
    static func ownPatternCells(_ screen: [[CapturedCell]], rows: Range<Int>, cols: Range<Int>) -> Int {
        func isBar(_ c: CapturedColor) -> Bool {
            guard case let .rgb(r, g, b) = c else { return false }
            return (r > 140 && b > 140 && g < 100) || (r > 140 && g > 140 && b < 90)
        }
        var n = 0
        for y in rows where y < screen.count {
            for x in cols where x < screen[y].count && (isBar(screen[y][x].fg) || isBar(screen[y][x].bg)) { n += 1 }
        }
        return n
    }

    /// alice's own camera is a picture-in-picture in the bottom-right corner of the browser's picture, and
    /// `p` hides it.
    static func checkPictureInPicture(_ tmux: Tmux) throws {
        func regions() throws -> (topLeft: Int, bottomRight: Int) {
            let text = try tmux.capture("alice", escapes: true)
            let screen = CapturedScreen.parse(text)
            let divider = try #require(text.split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("Chat") && $0.contains("──") }, "the chat divider")
            let left = TUIEndToEndTests.userListWidth + 1, width = 160 - left
            return (ownPatternCells(screen, rows: 1..<divider / 2, cols: left..<left + width / 2),
                    ownPatternCells(screen, rows: divider * 6 / 10..<divider, cols: left + width * 7 / 10..<160))
        }
        try tmux.waitUntil("alice", "alice's own test pattern in the picture-in-picture corner") {
            let r = try regions()
            return r.bottomRight > 5 && r.topLeft == 0
        }
        try tmux.sendKeys("alice", "p")
        try tmux.waitUntil("alice", "the picture-in-picture hidden after p") { try regions().bottomRight == 0 }
        try tmux.sendKeys("alice", "p")
        try tmux.waitUntil("alice", "the picture-in-picture back after p") { try regions().bottomRight > 5 }
    }

    @Test func terminalAndBrowserCallEachOtherBothWays() async throws {
        let binary = try TuicallBinary.path()
        let tmux = try Tmux()
        defer { tmux.kill() }
        let port = try TUIEndToEndTests.startServer(tmux, binary: binary)
        let browser = try await Browser.launch()
        defer { browser.close() }
        let page = try await browser.open("http://127.0.0.1:\(port)/")
        try await page.waitForWebClient()
        #expect(try await page.evaluate("tuicall.login('web')") == .string("web"))
        // alice's speaker is a WAV file: what she hears from the browser can be checked.
        let heard = tmux.directory.appendingPathComponent("alice-heard.wav")
        try tmux.newSession("alice", command: TUIEndToEndTests.client(
            binary, tmux, name: "alice", server: "ws://127.0.0.1:\(port)", extra: "--mic test --speaker \(Tmux.quote(heard.path))"))
        try tmux.waitUntil("alice", "web in alice's list") {
            try TUIEndToEndTests.userList(tmux, "alice").joined().contains("web")
        }

        // The terminal calls: Enter on web rings the browser, which accepts.
        try TUIEndToEndTests.select(tmux, "alice", user: "web")
        try tmux.sendKeys("alice", "Enter")
        try await page.waitFor("the browser to ring", timeout: 15, "tuicall.state === 'ringing' && tuicall.peer === 'alice'")
        _ = try await page.evaluate("tuicall.accept().then(() => true)")
        let stats = try await page.waitForMediaBothWays("the browser decoding alice's video and audio", timeout: 20)
        #expect((stats["inboundVideo"]?.objectValue?["frameWidth"]?.intValue ?? 0) == 640)
        try Self.waitForRemoteVideo(tmux)
        try Self.checkPictureInPicture(tmux)
        // h in the terminal ends the call in the browser too.
        try tmux.sendKeys("alice", "h")
        try await page.waitFor("the browser's call to end", timeout: 10, "tuicall.state === 'idle'")
        try tmux.waitForText("alice", "Call ended")

        // The browser calls: the terminal rings, a answers, the browser hangs up.
        _ = try await page.evaluate("tuicall.call('alice').then(() => true)")
        try tmux.waitForText("alice", "web is calling")
        try tmux.sendKeys("alice", "a")
        try tmux.waitForText("alice", "in call with web")
        try await page.waitForMediaBothWays("the browser decoding alice's video and audio", timeout: 20)
        try Self.waitForRemoteVideo(tmux)
        _ = try await page.evaluate("tuicall.hangUp()")
        try tmux.waitForText("alice", "Call ended: web hung up")
        #expect(!(try tmux.capture("alice").contains("in call with web")))
        // alice heard the browser: its fake microphone's beeps are in what her speaker played.
        let pcm = try WavAudio.read(path: heard.path).samples
        let loudest = stride(from: 0, to: max(0, pcm.count - 960), by: 960).map { AudioLevel.rms(pcm[$0..<$0 + 960]) }.max() ?? 0
        #expect(pcm.count > 48_000 && loudest > 1_000, "\(pcm.count) samples played, loudest 20 ms RMS \(loudest)")
    }
}

