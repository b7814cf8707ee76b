import Foundation
import Signaling

/// One call's setup: invite → first decoded remote frame at the caller (`setupMs`), and named parts.
struct SetupSample {
    var setupMs: Double
    var parts: [String: Double] = [:]
}

/// What every scenario of `tuicall bench browser` shares, and the setup measurements.
struct Context {
    let port: Int
    let fps: Double
    let directory: String
    /// Seconds a call runs before CPU is sampled (setup and encoder ramp-up excluded).
    let warmUp = 3.0
    /// How long a setup call lasts once placed: long enough for the first frame, short enough for many runs.
    let setupCallSeconds = 2.0

    func headless(_ name: String, call peer: String? = nil, duration: Double, extraArguments: [String] = [])
        throws -> HeadlessChild {
        try HeadlessChild(port: port, name: name, call: peer, duration: duration, fps: fps, directory: directory,
                          extraArguments: extraArguments)
    }

    /// `web` only watches the user list, so the caller starts once its callee is logged in.
    func tuicallCallsTuicall(_ web: WebPeer, run: Int) async throws -> SetupSample {
        let callee = try headless("tt-callee\(run)", duration: 60)
        defer { callee.process.interrupt() }
        try await web.waitUntilListed(callee.name)
        let caller = try headless("tt-caller\(run)", call: callee.name, duration: setupCallSeconds)
        let stats = try await caller.finish()
        let calleeStats = try await callee.finish()
        return SetupSample(setupMs: try setup(stats, caller.name),
                           parts: ["calleeAnswerToFirstFrame": calleeStats["setupTimeMs"]?.doubleValue ?? 0])
    }

    /// The browser answers the moment it rings (auto-accept): the figure is the machines' time, not a person's.
    func tuicallCallsBrowser(_ web: WebPeer, run: Int) async throws -> SetupSample {
        try await web.autoAccept()
        let caller = try headless("tc-caller\(run)", call: web.name, duration: setupCallSeconds)
        let timings = try await web.timingsAfterFirstFrame()
        let stats = try await caller.finish()
        try await web.waitIdle()
        var parts: [String: Double] = [:]
        parts["browserRingToFirstFrame"] = span(timings, "ringStart", "firstFrame")
        parts["browserAcceptToMediaReady"] = span(timings, "acceptStart", "mediaReady")
        parts["browserMediaReadyToAnswerSent"] = span(timings, "mediaReady", "answerSent")
        parts["browserAnswerSentToIceConnected"] = span(timings, "answerSent", "iceConnected")
        parts["browserIceToDtlsConnected"] = span(timings, "iceConnected", "connected")
        parts["browserConnectedToFirstFrame"] = span(timings, "connected", "firstFrame")
        return SetupSample(setupMs: try setup(stats, caller.name), parts: parts)
    }

    func browserCallsTuicall(_ web: WebPeer, run: Int) async throws -> SetupSample {
        let callee = try headless("ct-callee\(run)", duration: 60)
        defer { callee.process.interrupt() }
        try await web.waitUntilListed(callee.name)
        try await web.call(callee.name)
        let timings = try await web.timingsAfterFirstFrame()
        try await web.hangUpAndWaitIdle()
        let stats = try await callee.finish()
        guard let total = span(timings, "callStart", "firstFrame") else {
            throw CLIError("bench browser: the page recorded no call timings: \(timings)")
        }
        var parts: [String: Double] = [:]
        parts["browserCallToMediaReady"] = span(timings, "callStart", "mediaReady")
        parts["browserMediaReadyToOfferSent"] = span(timings, "mediaReady", "offerSent")
        parts["browserOfferToIceConnected"] = span(timings, "offerSent", "iceConnected")
        parts["browserIceToDtlsConnected"] = span(timings, "iceConnected", "connected")
        parts["browserConnectedToFirstFrame"] = span(timings, "connected", "firstFrame")
        parts["calleeAnswerToFirstFrame"] = stats["setupTimeMs"]?.doubleValue
        return SetupSample(setupMs: total, parts: parts)
    }

    func browserCallsBrowser(_ caller: WebPeer, _ callee: WebPeer) async throws -> SetupSample {
        try await callee.autoAccept()
        try await caller.call(callee.name)
        let timings = try await caller.timingsAfterFirstFrame()
        let calleeTimings = try await callee.timingsAfterFirstFrame()
        try await caller.hangUpAndWaitIdle()
        try await callee.waitIdle()
        guard let total = span(timings, "callStart", "firstFrame") else {
            throw CLIError("bench browser: the page recorded no call timings: \(timings)")
        }
        var parts: [String: Double] = [:]
        parts["browserCallToOfferSent"] = span(timings, "callStart", "offerSent")
        parts["calleeAcceptToConnected"] = span(calleeTimings, "acceptStart", "connected")
        return SetupSample(setupMs: total, parts: parts)
    }

    private func setup(_ stats: JSONObject, _ name: String) throws -> Double {
        guard let ms = stats["setupTimeMs"]?.doubleValue else {
            throw CLIError("bench browser: \(name) never decoded a remote frame: \(JSONValue.object(stats).serialized())")
        }
        return round1(ms)
    }
}
