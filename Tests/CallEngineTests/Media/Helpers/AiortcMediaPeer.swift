import Foundation

/// One line of aiortc_media_peer.py's JSON protocol.
struct AiortcMediaMessage: Codable, Sendable, Equatable {
    var type: String
    var sdp: String?
    var candidate: String?
    var sdpMid: String?
    var sdpMLineIndex: Int?
    var state: String?
    var message: String?
    var videoFrames: Int?
    var audioFrames: Int?
    var width: Int?
    var height: Int?
}

/// aiortc_media_peer.py under python3 (needs `pip install aiortc`): sends VP8 + Opus, counts what it decodes.
final class AiortcMediaPeer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("aiortc_media_peer.py")

    let messages = TransportTestCollector<AiortcMediaMessage>()
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let writeLock = NSLock()

    init(role: String) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path, role]
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
                    if let m = try? JSONDecoder().decode(AiortcMediaMessage.self, from: Data(line)) { messages.append(m) }
                }
            }
        }
    }

    func send(_ message: AiortcMediaMessage) {
        guard process.isRunning, var data = try? JSONEncoder().encode(message) else { return }
        data.append(0x0A)
        writeLock.withLock { input.fileHandleForWriting.write(data) }
    }

    func first(_ type: String, seconds: Double = 15) -> AiortcMediaMessage? {
        messages.wait(seconds: seconds) { $0.contains { $0.type == type } }
        return messages.all.first { $0.type == type }
    }

    func stats(seconds: Double = 5) -> AiortcMediaMessage? {
        let before = messages.all.count
        send(AiortcMediaMessage(type: "stats"))
        messages.wait(seconds: seconds) { $0.dropFirst(before).contains { $0.type == "stats" } }
        return messages.all.dropFirst(before).first { $0.type == "stats" }
    }

    func stop() {
        send(AiortcMediaMessage(type: "bye"))
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
