import ArgumentParser
import Benchmarks
import CallEngine
import Foundation
import WebRTCTransport

/// `tuicall bench transport`: loopback ICE+DTLS setup time and SRTP throughput, as JSON lines.
struct BenchTransport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Measure loopback connection setup (ICE + DTLS-SRTP) and SRTP protect+unprotect speed.")

    @Option(help: "Loopback connections to set up (the median is reported).")
    var setups = 20
    @Option(help: "SRTP packets to protect and unprotect.")
    var packets = 200_000
    @Option(help: "RTP packet size in bytes, header included.")
    var packetBytes = 1200

    func run() throws {
        try emit("setup", TransportBenchmark.setup(runs: setups))
        for profile in SrtpProfile.allCases where SrtpSession.supports(profile) {
            try emit("srtp", TransportBenchmark.srtp(packets: packets, packetBytes: packetBytes, profile: profile))
        }
    }

    private func emit<T: Encodable>(_ kind: String, _ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = String(decoding: try encoder.encode(value), as: UTF8.self)
        line.insert(contentsOf: "\"bench\":\"\(kind)\",", at: line.index(after: line.startIndex))
        print(line)
    }
}
