import Signaling
import Foundation
import Synchronization
import TestSupport

/// One line of the aiortc helper's JSON protocol (see aiortc_peer.py).
struct AiortcMessage: Codable, Sendable, Equatable {
    var type: String
    var sdp: String?
    var candidate: String?
    var sdpMid: String?
    var sdpMLineIndex: Int?
    var state: String?
    var message: String?
    var packetsReceived: Int?
    var packetsSent: Int?
    var videoFrames: Int?
    var audioFrames: Int?
    var width: Int?
    var height: Int?
}

/// aiortc_peer.py running under python3 (needs `pip install aiortc`): an independent WebRTC peer that
/// sends Opus (silence), with `media` also VP8 (aiortc's test picture), and counts what it decodes.
final class AiortcPeer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("aiortc_peer.py")

    /// True when python3 can import aiortc.
    static let isAvailable: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import aiortc"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    let messages = TransportTestCollector<AiortcMessage>()
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let writeLock = Mutex(())

    /// Starts the helper as offerer or answerer.
    init(role: String, media: Bool = false) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, role, media ? "media" : "audio"]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let messages = messages
        Thread.detachNewThread {
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer.removeSubrange(buffer.startIndex...newline)
                    if let m = try? JSONDecoder().decode(AiortcMessage.self, from: Data(line)) { messages.append(m) }
                }
            }
        }
    }

    func send(_ message: AiortcMessage) {
        guard process.isRunning, var data = try? JSONEncoder().encode(message) else { return }
        data.append(0x0A)
        writeLock.withLock { _ in input.fileHandleForWriting.write(data) }
    }

    /// Waits for the first message of `type`.
    func first(_ type: String, seconds: Double = 15) -> AiortcMessage? {
        messages.wait(seconds: seconds) { $0.contains { $0.type == type } }
        return messages.all.first { $0.type == type }
    }

    /// Asks for RTP and decoded-frame counters and waits for the answer.
    func stats(seconds: Double = 5) -> AiortcMessage? {
        let before = messages.all.count
        send(AiortcMessage(type: "stats"))
        messages.wait(seconds: seconds) { $0.dropFirst(before).contains { $0.type == "stats" } }
        return messages.all.dropFirst(before).first { $0.type == "stats" }
    }

    func stop() {
        send(AiortcMessage(type: "bye"))
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
