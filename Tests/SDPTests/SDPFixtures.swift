import Foundation
@testable import SDP

/// Real Chromium 156 SDPs captured from the MDN sample (copied from /work/shared/sdp), read from disk next to
/// this file (no SwiftPM resources).
enum SDPFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let names = ["chromium156-offer", "chromium156-answer", "chromium156-reoffer", "chromium156-reanswer"]

    static func text(_ name: String) throws -> String {
        try String(contentsOf: directory.appendingPathComponent("\(name).sdp"), encoding: .utf8)
    }

    static func parsed(_ name: String) throws -> SessionDescription { try SessionDescription.parse(text(name)) }

    /// Our side of a call, with fixed values so tests can assert on them.
    static func local(audio: Bool = true, video: Bool = true) -> LocalCapabilities {
        LocalCapabilities(
            iceUfrag: "TuiC", icePwd: "tuicallPasswordOf24Chars",
            fingerprint: DtlsFingerprint(algorithm: "sha-256", bytes: (0..<32).map { UInt8($0 * 7 & 0xFF) }),
            sessionId: "1234567890123456789", cname: "tuicallCname",
            audio: audio ? LocalTrack(ssrc: 1111, streamId: "tuicall-stream", trackId: "tuicall-audio") : nil,
            video: video ? LocalTrack(ssrc: 2222, rtxSsrc: 3333, streamId: "tuicall-stream", trackId: "tuicall-video")
                         : nil)
    }
}
