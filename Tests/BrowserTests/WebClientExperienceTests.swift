import BrowserDriver
import Foundation
import Signaling
import SignalingServer
import Testing
import TestSupport

/// The web client as a person meets it: a layout that stays in the window, reconnecting, rename notices,
/// ringing that sounds and ends, busy users, mute and camera-off seen by the other side, access tokens.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WebClientExperienceTests {
    /// Sets the page's viewport, as a window of that size (or a phone) would have.
    static func resize(_ page: BrowserPage, width: Int, height: Int) async throws {
        try await page.command("Emulation.setDeviceMetricsOverride", [
            "width": .int(width), "height": .int(height), "deviceScaleFactor": 1, "mobile": .bool(width < 600)])
    }

    /// The page fits the window and the call controls and both videos are inside it.
    static func fitsTheWindow(_ page: BrowserPage) async throws -> String {
        try await page.evaluate("""
            (() => {
              const inView = (id) => { const r = document.getElementById(id).getBoundingClientRect();
                return r.top >= 0 && r.bottom <= innerHeight + 1 && r.left >= 0 && r.right <= innerWidth + 1 && r.height > 0; };
              const problems = [];
              if (document.documentElement.scrollHeight > innerHeight + 1) problems.push('page ' + document.documentElement.scrollHeight + ' > ' + innerHeight);
              for (const id of ['hangup-button', 'videos', 'chat-input', 'users']) if (!inView(id)) problems.push(id + ' out of view');
              const log = document.getElementById('chat-log');
              if (log.scrollHeight > log.clientHeight && log.scrollTop + log.clientHeight < log.scrollHeight - 2) problems.push('chat not scrolled to the end');
              return problems.join('; ');
            })()
            """).stringValue ?? "not evaluated"
    }

    @Test func theChatScrollsInsideAFixedLayoutAtAnySize() async throws {
        try await withWebClients(["alice", "bob"]) { _, _, pages in
            let (alice, bob) = (pages[0], pages[1])
            for i in 0..<60 { try await bob.evaluate("tuicall.sendChat('line \(i) of a long chat that wraps in narrow windows')") }
            try await alice.waitFor("60 lines", "tuicall.chat.length >= 60")
            for (w, h) in [(1280, 800), (900, 700), (375, 667), (320, 568)] {
                try await Self.resize(alice, width: w, height: h)
                try await Task.sleep(for: .milliseconds(200))
                let problems = try await Self.fitsTheWindow(alice)
                #expect(problems == "", "at \(w)x\(h): \(problems)")
            }
        }
    }

    @Test func itReconnectsAndLogsInAgainWithTheSameName() async throws {
        let first = try await TestServer.start(webClient: true)
        let port = first.port
        try await Browser.with { browser in
            let page = try await browser.open(first.pageURL)
            try await page.waitForWebClient()
            #expect(try await page.evaluate("tuicall.login('alice')") == "alice")
            await first.stopWarning()
            try await page.waitFor("the page to notice", "tuicall.status.includes('reconnecting in')")
            let again = try await TestServer.start(port: port, webClient: true)
            defer { Task { await again.stopWarning() } }
            try await page.waitFor("logged in again", timeout: 20, "tuicall.state === 'idle' && tuicall.users.includes('alice')")
            #expect(try await page.evaluate("tuicall.me") == "alice")
            #expect(again.server.counts.users == 1)
            await again.stopWarning()
        }
    }

    @Test func aRenameIsSaidWhereItStays() async throws {
        try await withWebClients(["alice"]) { browser, server, _ in
            let other = try await browser.open(server.pageURL)
            try await other.waitForWebClient()
            #expect(try await other.evaluate("tuicall.login('Alice')") == "Alice1")
            #expect(try await other.evaluate("tuicall.status").stringValue?.contains("Alice was taken") == true)
            #expect(try await other.evaluate("tuicall.chat.some(m => m.text.includes('Alice was taken'))") == true)
        }
    }

    @Test func ringingSoundsChangesTheTitleAndEnds() async throws {
        try await withWebClients(["alice", "bob"]) { _, _, pages in
            let (alice, bob) = (pages[0], pages[1])
            try await alice.evaluate("tuicall.call('bob')")
            try await bob.waitFor("bob's phone to ring", "tuicall.state === 'ringing'")
            try await bob.waitFor("a ring tone and a title", "tuicall.rings >= 1 && document.title.includes('alice is calling')")
            try await bob.evaluate("tuicall.decline()")
            try await bob.waitFor("the title back", "!document.title.includes('calling')")
            try await alice.waitFor("alice told", "tuicall.state === 'idle'")
            #expect(try await alice.evaluate("tuicall.endReason") == "bob declined the call.")
            #expect(try await bob.evaluate("tuicall.endReason") == "You declined the call from alice.")
        }
    }

    @Test func busyUsersAreMarkedAndMuteAndCameraOffAreSeenByThePeer() async throws {
        try await withWebClients(["alice", "bob", "carol"]) { _, _, pages in
            let (alice, bob, carol) = (pages[0], pages[1], pages[2])
            try await bob.autoAcceptNextCall()
            try await alice.evaluate("tuicall.call('bob')")
            _ = try await alice.waitForMediaBothWays("alice receiving bob")
            _ = try await bob.waitForMediaBothWays("bob receiving alice")
            try await carol.waitFor("alice and bob marked busy", "tuicall.busy.slice().sort().join(',') === 'alice,bob'")
            #expect(try await carol.evaluate("[...document.querySelectorAll('#users li.busy button')].map(b => b.dataset.name).sort().join(',')") == "alice,bob")
            try await alice.click("#mute-button")
            try await alice.click("#camera-button")
            try await bob.waitFor("bob sees it", "tuicall.peerState.muted && tuicall.peerState.cameraOff")
            #expect(try await bob.evaluate("document.getElementById('peer-state').textContent") == "alice's camera is off · alice is muted")
            try await alice.click("#camera-button")
            try await bob.waitFor("camera back", "!tuicall.peerState.cameraOff")
            try await alice.evaluate("tuicall.hangUp()")
            try await carol.waitFor("nobody busy", "tuicall.busy.length === 0")
        }
    }

    @Test func theWebClientAsksForAnAccessToken() async throws {
        try await withWebClients(["alice"], logIn: false, configure: { $0.accessTokens = AccessTokens(secrets: ["open-sesame"]) }) { _, _, pages in
            let page = pages[0]
            try await page.click("#login-name")
            try await page.type("alice")
            try await page.click("#login-button")
            try await page.waitFor("the token field", "!document.getElementById('token-field').hidden")
            #expect(try await page.evaluate("tuicall.state") == "logged-out")
            try await page.click("#login-token")
            try await page.type("open-sesame")
            try await page.click("#login-button")
            try await page.waitFor("logged in with the token", "tuicall.state === 'idle'")
        }
    }
}
