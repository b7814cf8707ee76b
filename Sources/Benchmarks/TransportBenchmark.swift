import Foundation
import Media
import Synchronization
import WebRTCTransport

/// Loopback connection setup time: from creating the offerer to both sides DTLS-connected.
package struct SetupBenchmarkResult: Codable, Sendable {
    package var runs: Int
    package var failures: Int
    package var medianMs: Double
    package var minMs: Double
    package var maxMs: Double
    /// Median time until the ICE pair was selected (the rest is the DTLS handshake).
    package var medianIceMs: Double
}

/// SRTP protect + unprotect of one packet size through libsrtp.
package struct SrtpBenchmarkResult: Codable, Sendable {
    package var profile: String
    package var packetBytes: Int
    package var packets: Int
    /// Packets per second for protect followed by unprotect of each packet.
    package var packetsPerSecond: Double
    /// Payload throughput of the same, in Mbit/s.
    package var megabitsPerSecond: Double
}

/// Measurements behind `tuicall bench transport`.
package enum TransportBenchmark {
    /// Per-run limit before a setup counts as failed.
    package static let setupTimeoutSeconds = 15.0

    /// Sets up `runs` loopback connections one after another (ICE on 127.0.0.1 + DTLS + SRTP keys).
    package static func setup(runs: Int) throws -> SetupBenchmarkResult {
        let certificate = try DtlsCertificate.shared()  // generated once per process, outside the timing
        var times: [Double] = []
        var iceTimes: [Double] = []
        var failures = 0
        for _ in 0..<runs {
            if let (total, ice) = try setupOnce(certificate: certificate) {
                times.append(total)
                iceTimes.append(ice)
            } else {
                failures += 1
            }
        }
        times.sort()
        return SetupBenchmarkResult(runs: runs, failures: failures, medianMs: Percentiles.median(times),
                                    minMs: times.first ?? 0, maxMs: times.last ?? 0, medianIceMs: Percentiles.median(iceTimes))
    }

    private static func setupOnce(certificate: DtlsCertificate) throws -> (Double, Double)? {
        let connected = DispatchSemaphore(value: 0)
        let iceAt = Collected()
        let t0 = MonotonicClock.now()
        let a = try DtlsSrtpTransport(configuration: .loopback, controlling: true, certificate: certificate)
        let b = try DtlsSrtpTransport(configuration: .loopback, controlling: false, certificate: certificate)
        defer { a.close(); b.close() }
        for (me, peer) in [(a, b), (b, a)] {
            let weakPeer = WeakBox<DtlsSrtpTransport>()
            weakPeer.value = peer
            me.setHandlers(TransportHandlers(onEvent: { event in
                switch event {
                case .localCandidate(let c): weakPeer.value?.addRemoteCandidate(c)
                case .state(.connected): connected.signal()
                case .selectedPair: iceAt.setOnce(MonotonicClock.now())
                default: break
                }
            }))
        }
        a.gather()
        b.gather()
        b.setRemoteIceParameters(ufrag: a.localUfrag, password: a.localPassword)
        a.setRemoteIceParameters(ufrag: b.localUfrag, password: b.localPassword)
        a.start(role: .server, remoteFingerprint: b.localFingerprint)
        b.start(role: .client, remoteFingerprint: a.localFingerprint)
        for _ in 0..<2 where connected.wait(timeout: .now() + setupTimeoutSeconds) == .timedOut { return nil }
        let end = MonotonicClock.now()
        return (Double(end - t0) / 1e6, Double((iceAt.value ?? end) - t0) / 1e6)
    }

    /// First timestamp reported from the network thread.
    private final class Collected: Sendable {
        private let stored = Mutex<UInt64?>(nil)
        var value: UInt64? { stored.withLock { $0 } }
        func setOnce(_ v: UInt64) { stored.withLock { if $0 == nil { $0 = v } } }
    }

    /// Protects and unprotects `packets` RTP packets of `packetBytes` (header included) with fresh keys.
    package static func srtp(packets: Int, packetBytes: Int, profile: SrtpProfile = .aes128CmSha1_80) throws -> SrtpBenchmarkResult {
        let master = { (n: Int) in (0..<n).map { _ in UInt8.random(in: 0...255) } }
        let length = profile.keyLength + profile.saltLength
        let keys = SrtpKeyingMaterial(profile: profile, clientMaster: master(length), serverMaster: master(length))
        let sender = try SrtpSession(keys: keys, isClient: true)
        let receiver = try SrtpSession(keys: keys, isClient: false)
        var packet = [UInt8](repeating: 0xA5, count: max(packetBytes, 12))
        packet[0] = 0x80
        packet[1] = 96
        let t0 = MonotonicClock.now()
        var ok = 0
        for i in 0..<packets {
            packet[2] = UInt8(truncatingIfNeeded: i >> 8)  // sequence number
            packet[3] = UInt8(truncatingIfNeeded: i)
            guard let protected = packet.withUnsafeBytes({ sender.protectRtp($0) }),
                  protected.withUnsafeBytes({ receiver.unprotectRtp($0) }) != nil else { continue }
            ok += 1
        }
        let seconds = Double(MonotonicClock.now() - t0) / 1e9
        guard ok == packets else { throw TransportError.srtp("\(packets - ok) of \(packets) packets failed in the benchmark") }
        let pps = Double(packets) / seconds
        return SrtpBenchmarkResult(profile: profile.rawValue, packetBytes: packet.count, packets: packets,
                                   packetsPerSecond: pps, megabitsPerSecond: pps * Double(packet.count) * 8 / 1e6)
    }
}
