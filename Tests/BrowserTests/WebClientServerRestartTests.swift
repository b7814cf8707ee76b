import BrowserDriver
import Foundation
import Signaling
import Testing
import TestSupport

/// Two browsers in a call on the web client; `tuicall serve` is SIGKILLed and started again on the same
/// port. The pages are already loaded, so the call (peer to peer) goes on and both log in again.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WebClientServerRestartTests {
    static func framesDecoded(_ page: BrowserPage) async throws -> Double {
        number(try await stats(page), "inboundVideo", "framesDecoded")
    }

    @Test func aBrowserCallOutlivesAServerCrashAndRestart() async throws {
        let server = try ServeProcess.start()
        var restarted: ServeProcess?
        defer { server.kill(); restarted?.kill() }
        try await Browser.with { browser in
            let alice = try await browser.open(server.pageURL)
            let bob = try await browser.open(server.pageURL)
            for (page, name) in [(alice, "alice"), (bob, "bob")] {
                try await page.waitForWebClient()
                #expect(try await page.evaluate("tuicall.login('\(name)')") == .string(name))
            }
            try await bob.waitFor("both listed", "tuicall.users.length === 2")
            try await bob.autoAcceptNextCall()
            try await alice.evaluate("tuicall.call('bob')")
            try await alice.waitForMediaBothWays("alice receiving bob")
            try await bob.waitForMediaBothWays("bob receiving alice")
            try await alice.waitFor("both marked busy", "tuicall.busy.slice().sort().join(',') === 'alice,bob'")

            server.kill()
            for page in [alice, bob] {
                try await page.waitFor("the server's loss noticed", "tuicall.serverAway && tuicall.status.includes('reconnecting in')")
            }
            let before = (try await Self.framesDecoded(alice), try await Self.framesDecoded(bob))
            try await Task.sleep(for: .seconds(3))
            for (page, peer, was) in [(alice, "bob", before.0), (bob, "alice", before.1)] {
                #expect(try await page.evaluate("tuicall.state") == "in-call")
                #expect(try await page.evaluate("tuicall.peer") == .string(peer))
                let now = try await Self.framesDecoded(page)
                #expect(now - was >= 20, "\(peer)'s video without the server: \(now - was) frames in 3 s")
                #expect(try await page.evaluate("tuicall.chat.some(m => m.text.startsWith('The call with \(peer) goes on without the server'))") == true)
            }

            restarted = try ServeProcess.start(port: server.port)
            for (page, peer) in [(alice, "bob"), (bob, "alice")] {
                try await page.waitFor("back on the server", timeout: 20,
                                       "tuicall.chat.some(m => m.text === 'Back on the server; still in the call with \(peer).')")
                try await page.waitFor("both busy again", "tuicall.busy.slice().sort().join(',') === 'alice,bob'")
                #expect(try await page.evaluate("tuicall.me") == .string(peer == "bob" ? "alice" : "bob"))
                #expect(try await page.evaluate("tuicall.state") == "in-call")
            }
            let after = try await Self.framesDecoded(alice)
            try await Task.sleep(for: .seconds(1))
            #expect(try await Self.framesDecoded(alice) > after)

            // A hang-up after the restart ends the call on both sides.
            try await alice.evaluate("tuicall.hangUp()")
            try await bob.waitFor("bob to see the hang-up", timeout: 5, "tuicall.state === 'idle'")
            #expect(try await bob.evaluate("tuicall.endReason") == "alice hung up.")
            try await alice.waitFor("alice idle", "tuicall.state === 'idle'")
            try await bob.waitFor("nobody busy", "tuicall.busy.length === 0")
        }
    }
}
