import Foundation
import NetworkEmulator
import Testing
import TestSupport

/// `tuicall bench network` as a user runs it: it starts coturn behind the emulator, says where to point
/// peers, relays with the profile it was given, and refuses profiles it cannot mean.
@Suite(.serialized)
struct BenchNetworkCommandTests {
    @Test func itRelaysWithTheGivenDelayAndCountsPackets() throws {
        guard TurnServerProcess.isInstalled else { throw TurnServerMissing() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try TuicallBinary.path())
        p.arguments = ["bench", "network", "--listen", "127.0.0.1", "--up", "delay=30ms", "--seconds", "4", "--every", "0.5"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        var port: UInt16?
        while port == nil || !text.contains("downlink:"), Date() < deadline {
            text += String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
            if port == nil, let r = text.range(of: #"turn:127\.0\.0\.1:(\d+)\?"#, options: .regularExpression) {
                port = UInt16(text[r].dropFirst("turn:127.0.0.1:".count).dropLast())
            }
        }
        let relayPort = try #require(port, "no TURN URL in: \(text)")
        #expect(text.contains("uplink: delay 30 ms; downlink: clean"), "\(text)")
        let rtts = UdpRelayTests.bindingRoundTrips(port: relayPort, count: 10)
        #expect(rtts.count == 10 && rtts.allSatisfy { $0 >= 0.030 }, "\(rtts)")
        p.waitUntilExit()
        text += String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let last = try #require(text.split(separator: "\n").last { $0.hasPrefix("{\"bench\":\"network\"") })
        #expect(last.contains("\"peers\":1") && last.contains("\"uplink\":{\"in\":10,\"out\":10"), "\(last)")
        #expect(p.terminationStatus == 0)
    }

    @Test func aProfileItCannotMeanIsAClearError() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try TuicallBinary.path())
        p.arguments = ["bench", "network", "--up", "latency=5ms"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus != 0)
        #expect(text.contains("unknown impairment \"latency\""), "\(text)")
    }
}
