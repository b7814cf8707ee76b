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

/// One line of the benchmark's private signaling between its two processes (JSON, one object per line).
struct CallBenchMessage: Codable, Sendable {
    var type: String          // "offer", "answer", "candidate", "result"
    var sdp: String?
    var candidate: String?
    var sdpMid: String?
    var sdpMLineIndex: Int?
    var usernameFragment: String?
    var result: CallBenchEndpointResult?
}

/// Writes and reads JSON lines on a pair of file descriptors (pipes to the other endpoint).
/// `@unchecked Sendable`: writes are serialised by `writeLock`; `pending` belongs to the one reader thread.
final class CallBenchChannel: @unchecked Sendable {
    private let readFd: Int32, writeFd: Int32
    private let writeLock = Mutex(())
    private var pending: [UInt8] = []

    init(readFd: Int32, writeFd: Int32) { self.readFd = readFd; self.writeFd = writeFd }

    func send(_ message: CallBenchMessage) {
        guard var data = try? JSONEncoder().encode(message) else { return }
        data.append(0x0A)
        writeLock.withLock { _ in
            data.withUnsafeBytes { raw in
                var off = 0
                while off < raw.count {
                    let n = write(writeFd, raw.baseAddress! + off, raw.count - off)
                    if n <= 0 { return }
                    off += n
                }
            }
        }
    }

    /// The next message, or nil at end of file (one reader thread only).
    func receive() -> CallBenchMessage? {
        while true {
            if let nl = pending.firstIndex(of: 0x0A) {
                let line = Array(pending[..<nl])
                pending.removeFirst(nl + 1)
                if let m = try? JSONDecoder().decode(CallBenchMessage.self, from: Data(line)) { return m }
                continue
            }
            var buf = [UInt8](repeating: 0, count: 65_536)
            let n = buf.withUnsafeMutableBytes { read(readFd, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            pending += buf[..<n]
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
        let role = offerer ? "offerer" : "answerer"
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
                channel.send(CallBenchMessage(type: "candidate", candidate: c.candidate, sdpMid: c.sdpMid,
                                              sdpMLineIndex: c.sdpMLineIndex, usernameFragment: c.usernameFragment))
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
                switch m.type {
                case "offer":
                    guard let sdp = m.sdp else { continue }
                    do {
                        try pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: sdp))
                        let answer = try pc.createAnswer()
                        channel.send(CallBenchMessage(type: "answer", sdp: answer.sdp))
                        try pc.setLocalDescription(answer)
                    } catch { FileHandle.standardError.write(Data("bench call: answer failed: \(error)\n".utf8)) }
                case "answer":
                    if let sdp = m.sdp { try? pc.setRemoteDescription(SessionDescriptionInit(type: .answer, sdp: sdp)) }
                case "candidate":
                    try? pc.addIceCandidate(IceCandidateInit(candidate: m.candidate ?? "", sdpMid: m.sdpMid,
                                                             sdpMLineIndex: m.sdpMLineIndex,
                                                             usernameFragment: m.usernameFragment))
                case "result":
                    remoteResult.withLock { $0 = m.result }
                    resultArrived.signal()
                default: break
                }
            }
            resultArrived.signal()
        }
        if offerer {
            start = MonotonicClock.now()
            let offer = try pc.createOffer()
            channel.send(CallBenchMessage(type: "offer", sdp: offer.sdp))  // before candidates can fire
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
        channel.send(CallBenchMessage(type: "result", result: local))
        _ = resultArrived.wait(timeout: .now() + 10)
        return (local, remoteResult.withLock { $0 })
    }
}
