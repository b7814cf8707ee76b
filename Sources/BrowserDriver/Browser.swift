import Foundation
import Signaling

/// A headless Chromium driven over DevTools: open windows, evaluate JavaScript, click and type.
public final class Browser: Sendable {
    public let process: ChromiumProcess
    public let devTools: DevToolsConnection

    private init(process: ChromiumProcess, devTools: DevToolsConnection) {
        self.process = process; self.devTools = devTools
    }

    public static func launch(extraArguments: [String] = []) async throws -> Browser {
        let process = try await ChromiumProcess.launch(extraArguments: extraArguments)
        do {
            let devTools = try await DevToolsConnection.connect(url: process.devToolsURL)
            return Browser(process: process, devTools: devTools)
        } catch {
            let tail = ChromiumProcess.logTail(process.logPath)
            process.terminate()
            throw BrowserError("\(error); Chromium's log ends:\n\(tail)")
        }
    }

    /// Runs `body` with a fresh browser and always shuts it down (process group and profile).
    public static func with<T: Sendable>(_ body: (Browser) async throws -> T) async throws -> T {
        let browser = try await launch()
        do {
            let result = try await body(browser)
            browser.close()
            return result
        } catch {
            browser.close()
            throw error
        }
    }

    /// Opens `url` in a new window (a window each, so no page is a throttled background tab).
    public func open(_ url: String) async throws -> BrowserPage {
        let created = try await devTools.send("Target.createTarget", ["url": .string("about:blank"), "newWindow": true])
        guard let targetID = created["targetId"]?.stringValue else {
            throw BrowserError("Target.createTarget returned no targetId: \(created)")
        }
        let attached = try await devTools.send("Target.attachToTarget", ["targetId": .string(targetID), "flatten": true])
        guard let sessionID = attached["sessionId"]?.stringValue else {
            throw BrowserError("Target.attachToTarget returned no sessionId: \(attached)")
        }
        let page = BrowserPage(devTools: devTools, targetID: targetID, sessionID: sessionID)
        try await page.command("Runtime.enable")
        try await page.command("Page.enable")
        try await page.command("Emulation.setFocusEmulationEnabled", ["enabled": true])
        try await page.command("Page.navigate", ["url": .string(url)])
        return page
    }

    public func close() {
        devTools.close()
        process.terminate()
    }
}

/// One page (DevTools session) of a `Browser`.
public struct BrowserPage: Sendable {
    public let devTools: DevToolsConnection
    public let targetID: String
    public let sessionID: String

    @discardableResult
    public func command(_ method: String, _ params: JSONObject = [:], timeout: Double = DevToolsConnection.defaultTimeout)
        async throws -> JSONObject {
        try await devTools.send(method, params, sessionID: sessionID, timeout: timeout)
    }

    /// Evaluates `expression` (awaiting a returned promise) and returns its value as JSON;
    /// a thrown exception becomes an error carrying its message.
    @discardableResult
    public func evaluate(_ expression: String, timeout: Double = DevToolsConnection.defaultTimeout) async throws -> JSONValue {
        let reply = try await command("Runtime.evaluate", [
            "expression": .string(expression), "awaitPromise": true, "returnByValue": true, "userGesture": true,
        ], timeout: timeout)
        if let details = reply["exceptionDetails"]?.objectValue {
            let text = details["exception"]?.objectValue?["description"]?.stringValue
                ?? details["text"]?.stringValue ?? "exception"
            throw BrowserError("JavaScript `\(expression.prefix(120))` threw: \(text)")
        }
        return reply["result"]?.objectValue?["value"] ?? .null
    }

    /// Polls `expression` until it is truthy and returns that value; on timeout the error names
    /// `what`, the last value or error, and the page's recent log.
    @discardableResult
    public func waitFor(_ what: String, timeout: Double = 10, every interval: Duration = .milliseconds(50),
                 _ expression: String) async throws -> JSONValue {
        let deadline = Date().addingTimeInterval(timeout)
        var last = "nothing yet"
        while true {
            do {
                let value = try await evaluate(expression, timeout: max(1, deadline.timeIntervalSinceNow))
                switch value {
                case .null, .bool(false), .number("0"), .string(""): last = value.serialized()
                default: return value
                }
            } catch {
                last = "\(error)"  // e.g. the page is still loading
            }
            if Date() >= deadline {
                throw BrowserError("timed out after \(timeout) s waiting for \(what) (`\(expression.prefix(160))`); "
                    + "last result: \(last)\n\(await diagnostics())")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits for the web client's hook, `window.tuicall`, to be connected to the server.
    public func waitForWebClient(timeout: Double = 10) async throws {
        try await waitFor("the web client to connect", timeout: timeout,
                          "typeof tuicall === 'object' && tuicall.connection === 'open'")
    }

    /// A real mouse click (press and release) at the centre of the first element matching `selector`.
    public func click(_ selector: String) async throws {
        let box = try await waitFor("\(selector) to be visible and enabled", timeout: 5, """
            (() => { const e = document.querySelector(\(jsString(selector)));
              if (!e || e.disabled || e.offsetParent === null) return null;
              e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();
              return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()
            """)
        guard let x = box.objectValue?["x"]?.doubleValue, let y = box.objectValue?["y"]?.doubleValue else {
            throw BrowserError("cannot locate \(selector): \(box.serialized())")
        }
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            var params: JSONObject = ["type": .string(type), "x": .number(String(x)), "y": .number(String(y))]
            if type != "mouseMoved" { params["button"] = "left"; params["clickCount"] = 1 }
            try await command("Input.dispatchMouseEvent", params)
        }
    }

    /// Types `text` into the focused element, as a keyboard would insert it.
    public func type(_ text: String) async throws {
        try await command("Input.insertText", ["text": .string(text)])
    }

    /// Presses and releases Enter in the focused element.
    public func pressEnter() async throws {
        for type in ["keyDown", "keyUp"] {
            var params: JSONObject = ["type": .string(type), "key": "Enter", "code": "Enter",
                                      "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13]
            if type == "keyDown" { params["text"] = "\r" }
            try await command("Input.dispatchKeyEvent", params)
        }
    }

    /// The page's status line, its client log and console output: what a failure message needs.
    public func diagnostics() async -> String {
        let hook = (try? await evaluate(
            "typeof tuicall === 'object' ? {state: tuicall.state, me: tuicall.me, peer: tuicall.peer, status: tuicall.status, log: tuicall.log.slice(-25)} : 'no tuicall hook'",
            timeout: 2))?.serialized() ?? "(page not answering)"
        let console = devTools.consoleLines(sessionID: sessionID).suffix(15).joined(separator: "\n")
        return "page: \(hook)\nconsole:\n\(console)"
    }

    public func close() async {
        _ = try? await devTools.send("Target.closeTarget", ["targetId": .string(targetID)], timeout: 5)
    }
}

/// `s` as a JavaScript string literal.
public func jsString(_ s: String) -> String { JSONValue.string(s).serialized() }
