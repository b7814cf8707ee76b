import Signaling

/// A page on tuicall's web client, driven through its `window.tuicall` hook (see app.js): the steps the
/// browser tests and `tuicall bench browser` share.
extension BrowserPage {
    /// Default wait for media to flow once a call is set up. Default 15 s.
    public static let mediaTimeout: Double = 15

    /// Accepts the next incoming call the moment it rings (no polling delay in measurements).
    public func autoAcceptNextCall(withinMs: Int = 60_000) async throws {
        try await evaluate("""
            void tuicall.waitFor('ringing', \(withinMs)).then(() => tuicall.accept())
              .catch(e => console.error('auto-accept failed: ' + e.message))
            """)
    }

    /// Waits until the page decodes remote video and receives remote audio (and, if `sending`, sends
    /// both); returns the page's `tuicall.stats()` summary.
    @discardableResult
    public func waitForMediaBothWays(_ what: String, timeout: Double = mediaTimeout,
                                     sending: Bool = true) async throws -> JSONObject {
        let value = try await waitFor(what, timeout: timeout, every: .milliseconds(20), """
            tuicall.stats().then(s => s && s.inboundVideo.framesDecoded > 0 && s.inboundAudio.packetsReceived > 0
              && (!\(sending) || (s.outboundVideo.packetsSent > 0 && s.outboundAudio.packetsSent > 0)) ? s : null)
            """)
        return value.objectValue ?? [:]
    }
}
