import ArgumentParser
import Foundation
import NetworkEmulator
import Signaling
import Synchronization

/// Set by SIGINT/SIGTERM: `bench network` stops its relay and coturn before it exits.
private let stopRequested = Atomic<Bool>(false)

/// `tuicall bench network`: the user-space network emulator in front of a real TURN server. Peers that use
/// it as their TURN server with relay candidates only (tuicall `--turn ... --relay-only`, a browser's
/// `iceTransportPolicy: "relay"`) reach each other through the emulated links.
struct BenchNetwork: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Run the network emulator (loss, bursts, delay, jitter, caps) in front of coturn.",
        discussion: """
            Profiles are comma-separated key=value items: loss=10%, burst=3%/5 (rate/mean burst in packets), \
            delay=50ms, jitter=20ms, reorder, rate=500k (bit/s), queue=100ms (drop-tail depth at the rate), \
            duplicate=1%, blackout; clean is none. The uplink is each peer's path to the TURN server, the \
            downlink the way back. Impairing only uplinks (the default) gives each direction of a call the \
            profile once: A's uplink carries A to B, B's uplink B to A.
            """)

    @Option(help: "What each peer's uplink (peer → TURN server) does.") var up = "clean"
    @Option(help: "What each peer's downlink (TURN server → peer) does.") var down = "clean"
    @Option(help: "UDP port the emulator listens on (0 picks a free one).") var port: UInt16 = 0
    @Option(help: "IPv4 address the emulator listens on (default: the first non-loopback one, as browsers and tuicall gather no loopback candidates; 127.0.0.1 when there is none).")
    var listen: String?
    @Option(help: "Relay to a TURN server already on 127.0.0.1 at this port (default: start coturn).") var turnPort: UInt16?
    @Option(help: "Stop after this many seconds (0: run until Ctrl-C).") var seconds = 0.0
    @Option(help: "Seconds between the JSON lines of counts.") var every = 1.0
    @Option(help: "Seed of the loss and jitter draws (the same seed repeats a run).") var seed: UInt64 = 1

    func run() throws {
        let uplink: ImpairmentProfile, downlink: ImpairmentProfile
        do {
            uplink = try ImpairmentProfile(spec: up)
            downlink = try ImpairmentProfile(spec: down)
        } catch { throw ValidationError("\(error)") }
        var coturn: CoturnProcess?
        let upstream: UInt16
        if let turnPort {
            upstream = turnPort
        } else {
            guard CoturnProcess.isInstalled else { throw ValidationError("\(TurnServerMissing()); or pass --turn-port") }
            guard let started = try CoturnProcess.start() else { throw ValidationError("coturn did not start") }
            coturn = started
            upstream = started.port
        }
        defer { coturn?.stop() }
        let host = listen ?? Loopback.firstExternalIPv4() ?? "127.0.0.1"
        let relay = try UdpRelay(upstreamPort: upstream, host: host, port: port, uplink: uplink, downlink: downlink, seed: seed)
        defer { relay.stop() }
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        let credentials = coturn == nil ? "" : " username \(CoturnProcess.user) credential \(CoturnProcess.password)"
        Self.say("turn:\(host):\(relay.port)?transport=udp\(credentials) → TURN server 127.0.0.1:\(upstream)")
        Self.say("uplink: \(uplink); downlink: \(downlink)")
        let start = Date()
        var next = start.addingTimeInterval(every)
        while !stopRequested.load(ordering: .relaxed) {
            if seconds > 0, Date().timeIntervalSince(start) >= seconds { break }
            Thread.sleep(forTimeInterval: 0.05)
            guard Date() >= next else { continue }
            next = next.addingTimeInterval(every)
            Self.say(Self.line(relay, at: Date().timeIntervalSince(start)))
        }
        Self.say(Self.line(relay, at: Date().timeIntervalSince(start)))
    }

    /// Unbuffered: whoever reads the pipe (a test, a script) sees each line at once.
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    static func line(_ relay: UdpRelay, at t: Double) -> String {
        let s = relay.stats
        func ms(_ v: Double) -> JSONValue { .number(String(format: "%.1f", v * 1000)) }
        func dir(_ d: LinkStats) -> JSONValue {
            let queued = d.packetsIn - d.lossDrops - d.blackoutDrops - d.queueDrops
            let o: JSONObject = ["in": .int(d.packetsIn), "out": .int(d.packetsOut), "lost": .int(d.lossDrops),
                    "queueDropped": .int(d.queueDrops), "blackedOut": .int(d.blackoutDrops),
                    "duplicated": .int(d.duplicated),
                    "queueMsMean": ms(queued > 0 ? d.queueDelaySum / Double(queued) : 0), "queueMsMax": ms(d.queueDelayMax)]
            return .object(o)
        }
        let line: JSONObject = ["bench": "network", "t": .number(String(format: "%.1f", t)),
                                "peers": .int(relay.peerCount), "uplink": dir(s.uplink), "downlink": dir(s.downlink)]
        return JSONValue.object(line).serialized()
    }
}
