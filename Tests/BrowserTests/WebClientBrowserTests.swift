import BrowserDriver
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Signaling
import SignalingServer
import Testing
import TestSupport

/// The web client served by the real signaling server, driven in headless Chromium: two windows
/// (alice and bob) of one browser with fake camera and microphone, talking through the server.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct WebClientBrowserTests {
    /// Longest wait for a call to carry media both ways. Default 15 s (typically ~1 s).

    @Test func loginShowsBothUsersChatCrossesOverAndTakenNamesAreAdjusted() async throws {
        try await withWebClients(["alice", "bob"], logIn: false) { browser, server, pages in
            let (alice, bob) = (pages[0], pages[1])
            // alice logs in the way a person does: click, type, click.
            try await alice.click("#login-name")
            try await alice.type("alice")
            try await alice.click("#login-button")
            try await bob.evaluate("tuicall.login('bob')")
            for page in [alice, bob] {
                try await page.waitFor("both names in the user list", """
                    [...document.querySelectorAll('#users button')].map(b => b.dataset.name).sort().join(',') === 'alice,bob'
                    """)
            }
            #expect(try await alice.evaluate("document.querySelector('#users li.me button').dataset.name") == "alice")
            #expect(try await bob.evaluate("document.querySelector('#users li.me button').dataset.name") == "bob")
            #expect(try await alice.evaluate("document.getElementById('login').hidden") == true)

            // Chat typed into alice's page with Enter shows up in bob's, as text, never as markup.
            try await alice.click("#chat-input")
            try await alice.type("hi <b>bob</b> &lt;i&gt; <img src=x onerror=alert(1)")
            try await alice.pressEnter()
            let expected = "hi bob &lt;i&gt; <img src=x onerror=alert(1)"  // the server strips closed tags
            let line = try await bob.waitFor("alice's chat line", """
                (() => { const li = document.querySelector('#chat-log li:last-child');
                  return li && li.querySelector('strong').textContent === 'alice'
                    ? li.querySelector('span').textContent : null; })()
                """)
            #expect(line == .string(expected))
            #expect(try await bob.evaluate("document.querySelectorAll('#chat-log img, #chat-log b, #chat-log i').length") == 0)
            #expect(try await bob.evaluate("tuicall.chat.at(-1).name") == "alice")
            #expect(try await alice.evaluate("document.getElementById('chat-input').value") == "")
            try await alice.waitFor("alice's own line echoed", "tuicall.chat.some(m => m.name === 'alice')")

            // A third window asking for a taken name adopts the one the server chose.
            let carol = try await browser.open(server.pageURL + "?ice=turn:127.0.0.1:3478&user=webrtc&pass=turnserver")
            try await carol.waitForWebClient()
            #expect(try await carol.evaluate("tuicall.iceServers") == [.object([
                "urls": ["turn:127.0.0.1:3478"], "username": "webrtc", "credential": "turnserver"])])
            #expect(try await alice.evaluate("tuicall.iceServers") == [], "no ICE servers by default")
            #expect(try await carol.evaluate("tuicall.login('alice')") == "alice1")
            #expect(try await carol.evaluate("tuicall.me") == "alice1")
            #expect(try await carol.evaluate("document.getElementById('login-name').value") == "alice1")
            try await alice.waitFor("alice1 in alice's list", "tuicall.users.slice().sort().join(',') === 'alice,alice1,bob'")
        }
    }

    @Test func browserToBrowserCallCarriesVideoAndAudioBothWaysAndOnlyThePeersHangUpEndsIt() async throws {
        try await withWebClients(["alice", "bob"]) { browser, server, pages in
            let (alice, bob) = (pages[0], pages[1])
            try await bob.autoAcceptNextCall()
            let started = Date()
            try await alice.evaluate("tuicall.call('bob')")
            let aliceStats = try await alice.waitForMediaBothWays("alice receiving bob's video and audio")
            let swiftSetupMs = Date().timeIntervalSince(started) * 1000
            let bobStats = try await bob.waitForMediaBothWays("bob receiving alice's video and audio")
            for stats in [aliceStats, bobStats] {
                #expect(number(stats, "outboundVideo", "packetsSent") > 0)
                #expect(number(stats, "outboundAudio", "packetsSent") > 0)
            }
            try await alice.waitFor("alice in-call", "tuicall.state === 'in-call' && tuicall.peer === 'bob'")
            try await bob.waitFor("bob in-call", "tuicall.state === 'in-call' && tuicall.peer === 'alice'")
            #expect(try await alice.evaluate("document.querySelector('#users li.peer button').dataset.name") == "bob")
            // The callee answered sendrecv on the offered m-lines: no re-offer, so both sides have
            // exactly the two offered m-lines (audio 0, video 1), both sendrecv.
            let expectedTransceivers: JSONValue = [.object(["mid": "0", "kind": "audio", "direction": "sendrecv"]),
                                                   .object(["mid": "1", "kind": "video", "direction": "sendrecv"])]
            #expect(aliceStats["transceivers"] == expectedTransceivers)
            #expect(bobStats["transceivers"] == expectedTransceivers)
            #expect(aliceStats["connectionState"] == "connected")

            // What each user sees: the remote video element is playing the other's camera.
            for page in [alice, bob] {
                try await page.waitFor("the remote video element to play", timeout: 10, """
                    (() => { const v = document.getElementById('remote-video');
                      return v.videoWidth > 0 && v.currentTime > 0 && !v.paused; })()
                    """)
            }
            let firstFrameMs = try await alice.evaluate("tuicall.timings.firstFrame - tuicall.timings.callStart").doubleValue ?? -1
            let connectedMs = try await alice.evaluate("tuicall.timings.connected - tuicall.timings.callStart").doubleValue ?? -1
            let offerMs = try await alice.evaluate("tuicall.timings.offerSent - tuicall.timings.callStart").doubleValue ?? -1
            let answerMs = try await alice.evaluate("tuicall.timings.answerReceived - tuicall.timings.callStart").doubleValue ?? -1
            let videoBefore = number(aliceStats, "inboundVideo", "framesDecoded")

            // CPU of the whole browser (both windows, encode + decode both ways) while the call runs.
            let cpuWindow = 3.0
            let cpu0 = browser.process.cpuSeconds()
            let wall0 = Date()
            // Meanwhile a third user hangs up with target null (the browser sample's habit): the
            // server broadcasts it, and it is not from our peer, so the call must go on.
            try await alice.evaluate(thirdPartyHangUp(from: "mallory"))
            try await Task.sleep(for: .seconds(cpuWindow))
            let cpuPercent = (browser.process.cpuSeconds() - cpu0) / Date().timeIntervalSince(wall0) * 100
            #expect(try await alice.evaluate("tuicall.state") == "in-call")
            #expect(try await bob.evaluate("tuicall.state") == "in-call")
            let later = try await stats(alice)
            let bobLater = try await stats(bob)
            #expect(number(later, "inboundVideo", "framesDecoded") > videoBefore + 10, "video kept flowing")
            // (Frame size is checked here, not on the first decoded frame: getStats may not have it yet.)
            for s in [later, bobLater] {
                #expect(number(s, "inboundVideo", "frameWidth") > 0)
                #expect(number(s, "inboundVideo", "frameHeight") > 0)
                #expect(number(s, "inboundAudio", "packetsReceived") > 50)
            }
            print("[BrowserTests] browser↔browser call setup: call() → first remote frame shown \(firstFrameMs > 0 ? "\(Int(firstFrameMs)) ms" : "n/a") "
                + "(offer sent \(Int(offerMs)) ms, answer \(Int(answerMs)) ms, connected \(Int(connectedMs)) ms; "
                + "decoded video+audio seen by the test's 20 ms getStats polling at \(Int(swiftSetupMs)) ms); "
                + "video \(Int(number(later, "inboundVideo", "frameWidth")))x\(Int(number(later, "inboundVideo", "frameHeight"))) "
                + "\(later["inboundVideo"]?.objectValue?["codec"]?.stringValue ?? "?"); "
                + "browser CPU during call \(Int(cpuPercent))% of one core (2 windows, both directions; \(ProcessInfo.processInfo.activeProcessorCount) cores)")

            // bob hangs up: both sides end, and alice is told by a hang-up addressed to her.
            try await bob.evaluate("tuicall.hangUp()")
            try await alice.waitFor("alice to see the hang-up", timeout: 5, "tuicall.state === 'idle'")
            #expect(try await alice.evaluate("tuicall.endReason") == "bob hung up.")
            #expect(try await alice.evaluate("tuicall.peer") == .null)
            #expect(try await bob.evaluate("tuicall.state") == "idle")
            #expect(try await alice.evaluate("document.getElementById('remote-video').srcObject") == .null)
        }
    }

    @Test func declineTellsTheCallerABusyCalleeRefusesOthersAndAPeerWhoLeavesEndsTheCall() async throws {
        try await withWebClients(["alice", "bob", "carol"]) { _, _, pages in
            let (alice, bob, carol) = (pages[0], pages[1], pages[2])
            try await alice.evaluate("tuicall.call('bob')")
            try await bob.waitFor("bob's phone to ring", "tuicall.state === 'ringing' && tuicall.peer === 'alice'")
            // A second caller gets a hang-up from busy bob, whose first call keeps ringing.
            try await carol.evaluate("tuicall.call('bob')")
            try await carol.waitFor("carol to be refused", timeout: 5, "tuicall.state === 'idle'")
            #expect(try await carol.evaluate("tuicall.endReason") == "bob is in another call.")
            // ... and bob hears of the call he missed.
            #expect(try await bob.evaluate("tuicall.chat.some(m => m.text.startsWith('Missed call from carol'))") == true)
            #expect(try await bob.evaluate("tuicall.state + ' ' + tuicall.peer") == "ringing alice")
            #expect(try await alice.evaluate("tuicall.state") == "calling")
            #expect(try await bob.evaluate("document.getElementById('incoming-text').textContent") == "alice is calling you.")
            try await bob.click("#decline-button")
            try await alice.waitFor("alice to learn bob declined", timeout: 5, "tuicall.state === 'idle'")
            #expect(try await alice.evaluate("tuicall.endReason") == "bob declined the call.")
            #expect(try await bob.evaluate("tuicall.state") == "idle")
            #expect(try await bob.evaluate("document.getElementById('incoming').hidden") == true)

            // Second try: bob accepts, then his window goes away; alice's call ends on the user list.
            try await bob.autoAcceptNextCall()
            try await alice.evaluate("tuicall.call('bob')")
            try await alice.waitForMediaBothWays("alice receiving bob's media on the second call")
            await bob.close()
            try await alice.waitFor("alice to notice bob left", timeout: 5, "tuicall.state === 'idle'")
            #expect(try await alice.evaluate("tuicall.endReason") == "bob left")
        }
    }

    @Test func clickingANameCallsAndTheButtonsAnswerAndHangUp() async throws {
        try await withWebClients(["alice", "bob"]) { _, _, pages in
            let (alice, bob) = (pages[0], pages[1])
            try await alice.click(#"#users button[data-name="bob"]"#)
            try await bob.click("#accept-button")
            try await alice.waitForMediaBothWays("alice receiving bob's media")
            try await bob.waitForMediaBothWays("bob receiving alice's media")
            // During the call the other names cannot be clicked and the peer is marked.
            #expect(try await bob.evaluate("document.querySelector('#users li.peer button').textContent") == "alice (in call)")
            try await alice.click("#hangup-button")
            try await bob.waitFor("bob to see alice hang up", timeout: 5, "tuicall.state === 'idle'")
            #expect(try await bob.evaluate("tuicall.endReason") == "alice hung up.")
            #expect(try await alice.evaluate("tuicall.state") == "idle")
            #expect(try await alice.evaluate("document.getElementById('hangup-button').disabled") == true)
        }
    }

    @Test func twoUsersCallingEachOtherAtOnceEndUpInOneCall() async throws {
        try await withWebClients(["alice", "bob"]) { _, _, pages in
            let (alice, bob) = (pages[0], pages[1])
            try await alice.autoAcceptNextCall()
            try await bob.autoAcceptNextCall()
            // (If one offer overtakes the other's call(), that call() is refused as "already in a
            // call" and the ringing side auto-accepts: either way one call must result.)
            async let a: JSONValue = alice.evaluate("tuicall.call('bob').catch(e => e.message)")
            async let b: JSONValue = bob.evaluate("tuicall.call('alice').catch(e => e.message)")
            _ = try await (a, b)
            try await alice.waitForMediaBothWays("alice receiving bob's media after the collision")
            try await bob.waitForMediaBothWays("bob receiving alice's media after the collision")
            #expect(try await alice.evaluate("tuicall.state + ' ' + tuicall.peer") == "in-call bob")
            #expect(try await bob.evaluate("tuicall.state + ' ' + tuicall.peer") == "in-call alice")
        }
    }

    @Test func aCameraThatFailsOffersAReceiveOnlyCall() async throws {
        try await withWebClients(["alice", "bob"]) { _, _, pages in
            let (alice, bob) = (pages[0], pages[1])
            try await alice.evaluate("""
                navigator.mediaDevices.getUserMedia = () =>
                  Promise.reject(new DOMException('Permission denied', 'NotAllowedError'))
                """)
            try await bob.autoAcceptNextCall()
            // call() waits for the choice below, so it is not awaited here.
            try await alice.evaluate("void tuicall.call('bob').catch(e => console.error(e.message))")
            let message = try await alice.waitFor("the camera problem to show", """
                !document.getElementById('media-error').hidden && document.getElementById('media-error-text').textContent
                """)
            #expect(message.stringValue?.contains("Camera and microphone access was denied.") == true)
            try await alice.click("#receive-only-button")
            try await alice.waitForMediaBothWays("alice receiving bob's media", sending: false)
            try await bob.waitFor("bob in-call", "tuicall.state === 'in-call'")
            try await Task.sleep(for: .milliseconds(500))
            let bobStats = try await stats(bob)
            #expect(number(bobStats, "inboundVideo", "packetsReceived") == 0, "alice sends nothing")
            #expect(number(bobStats, "outboundVideo", "packetsSent") > 0)
        }
    }

    @Test func interoperatesBothWaysWithAPeerThatBehavesLikeTheMDNSample() async throws {
        try await withWebClients(["alice"]) { browser, server, pages in
            let alice = pages[0]
            let samplePage = try await browser.open(server.pageURL)
            try await samplePage.waitForWebClient()
            try await samplePage.evaluate(sampleLikePeerScript(name: "sample"))
            _ = try await withTimeout(5, "the sample-like peer to log in") { try await samplePage.evaluate("sample.ready") }
            try await alice.waitFor("sample in alice's list", "tuicall.users.includes('sample')")

            // alice calls: the sample answers recvonly and re-offers its camera on mids 2 and 3.
            try await alice.evaluate("tuicall.call('sample')")
            try await alice.waitForMediaBothWays("alice receiving the sample's media (re-offered m-lines)")
            try await samplePage.waitFor("the sample decoding alice's video and audio", timeout: 10,
                                         "sample.stats().then(s => s.framesDecoded > 0 && s.audioPacketsReceived > 0)")
            #expect(try await samplePage.evaluate("sample.mids().join(',')") == "0,1,2,3")
            let transceivers = try await stats(alice)["transceivers"]?.arrayValue ?? []
            #expect(transceivers.count == 4)
            try await alice.waitFor("alice's video element showing the sample", timeout: 5,
                                    "document.getElementById('remote-video').videoWidth > 0")
            // Its hang-up is broadcast with target null, from our peer: the call ends.
            try await samplePage.evaluate("sample.hangUp()")
            try await alice.waitFor("alice to see the sample hang up", timeout: 5, "tuicall.state === 'idle'")
            #expect(try await alice.evaluate("tuicall.endReason") == "sample hung up.")

            // The sample calls: alice rings, accepts, and answers sendrecv on the sample's two m-lines.
            try await samplePage.evaluate("sample.call('alice')")
            try await alice.waitFor("alice's phone to ring", "tuicall.state === 'ringing' && tuicall.peer === 'sample'")
            try await alice.evaluate("tuicall.accept()")
            let aliceStats = try await alice.waitForMediaBothWays("alice receiving the calling sample's media")
            try await samplePage.waitFor("the sample decoding alice's answer media", timeout: 10,
                                         "sample.stats().then(s => s.framesDecoded > 0 && s.audioPacketsReceived > 0)")
            #expect(aliceStats["transceivers"]?.arrayValue?.count == 2)
            #expect(try await samplePage.evaluate("sample.mids().join(',')") == "0,1")
            try await alice.evaluate("tuicall.hangUp()")
            try await samplePage.waitFor("the sample to close on alice's hang-up", timeout: 5, "sample.state === 'idle' && !sample.pc")
        }
    }

    @Test func theServedFilesAreTheSourceFiles() async throws {
        let server = try await TestServer.start(webClient: true)
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/SignalingServer/WebClient").standardized
        for (path, file) in [("/", "index.html"), ("/app.js", "app.js"), ("/call.js", "call.js"),
                             ("/restart.js", "restart.js"), ("/stats.js", "stats.js"), ("/style.css", "style.css")] {
            let onDisk = Array(try Data(contentsOf: dir.appendingPathComponent(file)))
            let (served, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)
            #expect(Array(served) == onDisk, "\(file) is not what the server sends for \(path)")
        }
        #expect(WebClient.staticFiles["/"]?.contentType == "text/html; charset=utf-8")
        await server.stopWarning()
    }
}

// MARK: - Helpers

/// Starts the server and a browser, opens one window per name (logged in unless told not to),
/// runs `body`, and always stops both.
func withWebClients(_ names: [String], logIn: Bool = true,
                    configure: (inout SignalingServerConfiguration) -> Void = { _ in },
                    _ body: (Browser, TestServer, [BrowserPage]) async throws -> Void) async throws {
    let server = try await TestServer.start(webClient: true, configure: configure)
    do {
        try await Browser.with { browser in
            var pages: [BrowserPage] = []
            for _ in names { pages.append(try await browser.open(server.pageURL)) }
            for (page, name) in zip(pages, names) {
                try await page.waitForWebClient()
                if logIn { #expect(try await page.evaluate("tuicall.login(\(jsString(name)))") == .string(name)) }
            }
            if logIn, let last = pages.last {
                try await last.waitFor("every user listed", "tuicall.users.length === \(names.count)")
            }
            try await body(browser, server, pages)
        }
    } catch {
        await server.stopWarning()
        throw error
    }
    await server.stopWarning()
}

/// `tuicall.stats()` of `page` (throws if there is no call).
func stats(_ page: BrowserPage) async throws -> JSONObject {
    guard let s = try await page.evaluate("tuicall.stats()").objectValue else {
        throw BrowserTestError("no call statistics: there is no call\n\(await page.diagnostics())")
    }
    return s
}

/// A numeric field of a stats summary (0 when absent).
func number(_ stats: JSONObject, _ group: String, _ field: String) -> Double {
    stats[group]?.objectValue?[field]?.doubleValue ?? 0
}

/// JavaScript that logs in a separate user over its own WebSocket and sends the browser sample's
/// hang-up: `target: null`, so the server broadcasts it to everyone.
func thirdPartyHangUp(from name: String) -> String {
    """
    new Promise((resolve, reject) => {
      const ws = new WebSocket('ws://' + location.host + '/', 'json');
      const timer = setTimeout(() => reject(new Error('third party did not get in')), 5000);
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type === 'id') ws.send(JSON.stringify({type: 'username', name: \(jsString(name)), id: m.id, date: Date.now()}));
        if (m.type === 'userlist' && m.users.includes(\(jsString(name)))) {
          ws.send(JSON.stringify({type: 'hang-up', name: \(jsString(name)), target: null}));
        }
        if (m.type === 'hang-up' && m.name === \(jsString(name))) { clearTimeout(timer); resolve(true); }
      };
    })
    """
}
