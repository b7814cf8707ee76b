import CallEngine
import Capture
import Foundation
import Media
import SDP
import Signaling
import Synchronization

/// What one endpoint of `bench call` measured.
package struct CallBenchEndpointResult: Sendable, Codable, Equatable {
    package var role: String
    /// User + system CPU seconds of this process over the whole run (`ProcessCPU`, as every bench counts it).
    package var cpuSeconds: Double
    /// Media seconds measured (after the first decoded frame).
    package var durationSeconds: Double
    /// createOffer (or receiving it) → transport connected.
    package var setupMs: Double
    /// Transport connected → first peer frame decoded.
    package var firstFrameMs: Double?
    /// Capture timestamp in the received pattern → decoded frame ready (same machine, same clock).
    package var glassToGlassP50Ms: Double?
    package var glassToGlassP95Ms: Double?
    package var receivedFps: Double
    package var receivedVideoKbps: Double
    package var receivedAudioKbps: Double
    package var framesDecoded: Int
    package var framesSent: Int
    package var stats: MediaSessionStats
}

/// The pipe between the two endpoints, one JSON line per message, carrying the chat server's own messages
/// (`SignalMessage`: `video-offer`, `video-answer`, `new-ice-candidate`) as `tuicall serve` would route them,
/// plus one `bench-result` message with each endpoint's figures at the end.
final class CallBenchChannel: Sendable {
    static let resultType = "bench-result"
    private let readFd: Int32, writeFd: Int32
    private let writeLock = Mutex(())
    /// Read but not yet parsed (one reader thread; the Mutex only makes that checkable).
    private let pending = Mutex<[UInt8]>([])

    init(readFd: Int32, writeFd: Int32) { self.readFd = readFd; self.writeFd = writeFd }

    func send(_ message: SignalMessage) {
        var bytes = message.json.serializedBytes()
        bytes.append(0x0A)
        writeLock.withLock { _ in
            bytes.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = write(writeFd, raw.baseAddress! + off, raw.count - off)
                    if n <= 0 { return }
                    off += n
                }
            }
        }
    }

    func send(result: CallBenchEndpointResult) {
        let json = (try? JSONEncoder().encode(result)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        send(.other(["type": .string(Self.resultType), "result": .string(json)]))
    }

    /// The other endpoint's figures, when `message` carries them.
    static func result(in message: SignalMessage) -> CallBenchEndpointResult? {
        guard case .other(let object) = message, object["type"]?.stringValue == resultType,
              let json = object["result"]?.stringValue else { return nil }
        return try? JSONDecoder().decode(CallBenchEndpointResult.self, from: Data(json.utf8))
    }

    /// The next message, or nil at end of file (one reader thread only); lines that do not parse are skipped.
    func receive() -> SignalMessage? {
        pending.withLock { pending in
            while true {
                if let nl = pending.firstIndex(of: 0x0A) {
                    let line = Array(pending[..<nl])
                    pending.removeFirst(nl + 1)
                    if let json = try? JSONParser.parse(line), let m = try? SignalMessage(json: json) { return m }
                    continue
                }
                var buf = [UInt8](repeating: 0, count: 65_536)
                let n = buf.withUnsafeMutableBytes { read(readFd, $0.baseAddress, $0.count) }
                if n <= 0 { return nil }
                pending += buf[..<n]
            }
        }
    }
}

/// `bench call`: one endpoint of a two-endpoint call (both send the test pattern and the tone).
package enum CallBenchmark {
    /// Runs one endpoint talking to its peer over `readFd`/`writeFd`; the offerer drives the exchange.
    /// Both endpoints measure for `durationSeconds` after connecting, then swap results.
    package static func runEndpoint(offerer: Bool, width: Int, height: Int, fps: Double, durationSeconds: Double,
                                   readFd: Int32, writeFd: Int32) throws -> (local: CallBenchEndpointResult,
                                                                              remote: CallBenchEndpointResult?) {
        let role = offerer ? "offerer" : "answerer", peer = offerer ? "answerer" : "offerer"
        let channel = CallBenchChannel(readFd: readFd, writeFd: writeFd)
        let audio = LocalTrack(ssrc: .random(in: 1...UInt32.max), streamId: role, trackId: "\(role)-audio")
        let video = LocalTrack(ssrc: .random(in: 1...UInt32.max), rtxSsrc: .random(in: 1...UInt32.max),
                               streamId: role, trackId: "\(role)-video")
        let pc = try PeerConnection(configuration: PeerConnectionConfiguration(ice: .loopback, cname: role,
                                                                                audio: audio, video: video))
        defer { pc.close() }
        let connected = DispatchSemaphore(value: 0)
        pc.setEventHandler { event in
            switch event {
            case .iceCandidate(let c):
                channel.send(.newIceCandidate(IceCandidateMessage(name: role, target: peer, candidate: c)))
            case .connectionState(.connected): connected.signal()
            default: break
            }
        }
        var start = MonotonicClock.now()
        let remoteResult = Mutex<CallBenchEndpointResult?>(nil)
        let resultArrived = DispatchSemaphore(value: 0)
        // Reads until the other endpoint closes the pipe; never joined (the process ends with the bench).
        _ = MediaThread(name: "bench-call-signal") { _ in
            while let m = channel.receive() {
                switch m {
                case .videoOffer(let offer):
                    do {
                        try pc.setRemoteDescription(offer.sdp)
                        let answer = try pc.createAnswer()
                        channel.send(.videoAnswer(SessionDescriptionMessage(name: role, target: peer, sdp: answer)))
                        try pc.setLocalDescription(answer)
                    } catch { FileHandle.standardError.write(Data("bench call: answer failed: \(error)\n".utf8)) }
                case .videoAnswer(let answer):
                    try? pc.setRemoteDescription(answer.sdp)
                case .newIceCandidate(let c):
                    try? pc.addIceCandidate(c.candidate ?? IceCandidateInit(candidate: ""))  // nil: end of candidates
                default:
                    guard let result = CallBenchChannel.result(in: m) else { continue }
                    remoteResult.withLock { $0 = result }
                    resultArrived.signal()
                }
            }
            resultArrived.signal()
        }
        if offerer {
            start = MonotonicClock.now()
            let offer = try pc.createOffer()
            // Sent before candidates can fire.
            channel.send(.videoOffer(SessionDescriptionMessage(name: role, target: peer, sdp: offer)))
            try pc.setLocalDescription(offer)
        }
        guard connected.wait(timeout: .now() + 20) == .success else {
            throw PeerConnectionError.invalidState("bench call: \(role) did not connect within 20 s")
        }
        let connectedNs = MonotonicClock.now()
        let latency = TestPatternLatencyProbe()
        let session = MediaSession(peerConnection: pc, options: MediaSessionOptions(cname: role))
        session.addVideoSink(latency)
        try session.start(video: TestPatternSource(width: width, height: height, fps: fps), audio: ToneSource())
        MonotonicClock.sleep(untilNs: connectedNs + UInt64(durationSeconds * 1e9))
        let stats = session.stats()
        session.stop()
        let cpu = ProcessCPU.ownSeconds()
        let first = latency.firstFrameNs
        let measured = first.map { Double(connectedNs + UInt64(durationSeconds * 1e9) - $0) / 1e9 } ?? durationSeconds
        let sorted = latency.sortedLatenciesMs
        func pct(_ p: Double) -> Double? { Percentiles.nearestRank(sorted: sorted, p) }
        let inVideo = stats.inbound("video"), inAudio = stats.inbound("audio")
        let local = CallBenchEndpointResult(
            role: role, cpuSeconds: cpu, durationSeconds: measured, setupMs: Double(connectedNs - start) / 1e6,
            firstFrameMs: first.map { Double($0 - connectedNs) / 1e6 },
            glassToGlassP50Ms: pct(0.5), glassToGlassP95Ms: pct(0.95),
            receivedFps: Double(inVideo?.framesDecoded ?? 0) / max(measured, 0.001),
            receivedVideoKbps: Double((inVideo?.bytesReceived ?? 0) * 8) / max(measured, 0.001) / 1000,
            receivedAudioKbps: Double((inAudio?.bytesReceived ?? 0) * 8) / max(measured, 0.001) / 1000,
            framesDecoded: inVideo?.framesDecoded ?? 0, framesSent: stats.outbound("video")?.framesEncoded ?? 0,
            stats: stats)
        channel.send(result: local)
        _ = resultArrived.wait(timeout: .now() + 10)
        return (local, remoteResult.withLock { $0 })
    }
}
