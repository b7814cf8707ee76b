import ArgumentParser
import Benchmarks
import CallEngine
import Foundation

/// `tuicall bench call`: a real call between two processes on loopback (this one offers, a copy of itself
/// answers over stdin/stdout pipes), both sending the test pattern and a tone; prints one JSON line per endpoint.
struct BenchCall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Measure a loopback call between two processes: CPU, glass-to-glass latency, fps, bitrate, setup.")

    @Option(help: "Test pattern size, WIDTHxHEIGHT.")
    var size = "640x480"
    @Option(help: "Test pattern frame rate.")
    var fps = 30.0
    @Option(help: "Seconds of media after the call connects.")
    var duration = 20.0
    @Option(help: .hidden)
    var role = "offerer"

    func run() throws {
        guard let (width, height) = SizeOption.parse(size), width >= 16, height >= 16 else {
            throw ValidationError("--size must look like 640x480 (each side at least 16)")
        }
        if role == "answerer" {
            // stdout carries the signaling; anything else printed goes to stderr.
            let out = dup(1)
            dup2(2, 1)
            _ = try CallBenchmark.runEndpoint(offerer: false, width: width, height: height, fps: fps,
                                              durationSeconds: duration, readFd: 0, writeFd: out)
            return
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try selfPath())
        child.arguments = Array(CommandLine.arguments.dropFirst()) + ["--role", "answerer"]
        let toChild = Pipe(), fromChild = Pipe()
        child.standardInput = toChild
        child.standardOutput = fromChild
        try child.run()
        let (local, remote) = try CallBenchmark.runEndpoint(
            offerer: true, width: width, height: height, fps: fps, durationSeconds: duration,
            readFd: fromChild.fileHandleForReading.fileDescriptor, writeFd: toChild.fileHandleForWriting.fileDescriptor)
        try? toChild.fileHandleForWriting.close()
        child.waitUntilExit()
        try emit(local)
        if let remote { try emit(remote) } else { print(#"{"bench":"call","role":"answerer","error":"no result"}"#) }
    }

    private func selfPath() throws -> String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { throw ValidationError("cannot find this executable (/proc/self/exe) to start the answerer") }
        return String(decoding: buf[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func emit(_ result: CallBenchEndpointResult) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var line = String(decoding: try encoder.encode(result), as: UTF8.self)
        line.insert(contentsOf: "\"bench\":\"call\",\"processes\":2,", at: line.index(after: line.startIndex))
        print(line)
    }
}
