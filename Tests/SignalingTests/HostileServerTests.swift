import CallEngine
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import Signaling
@testable import SignalingClient
import Testing
import TestSupport

/// The client stays defensive against servers that relay what they should not (the original MDN server
/// relays anything): a scripted WebSocket server sends it what an attacker could get relayed.
@Suite("Signaling client: a server that relays forged server messages")
struct HostileServerTests {
    /// A Hummingbird WebSocket server that answers a login with `script`.
    static func scriptedServer(_ script: [String]) async throws -> (ServiceGroup, Task<Void, Error>, Int) {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.ws("/") { inbound, outbound, _ in
            try await outbound.write(.text(#"{"type":"id","id":7}"#))
            for try await message in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let t) = message, t.contains(#""username""#) else { continue }
                for line in script { try await outbound.write(.text(line)) }
            }
        }
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(router: Router(), server: .http1WebSocketUpgrade(webSocketRouter: router),
                              configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: quietLogger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: quietLogger))
        let task = Task { try await group.run() }
        var port = 0
        for await p in ports { port = p; break }
        return (group, task, port)
    }

    @Test func forgedServerMessagesAreIgnored() async throws {
        let (group, task, port) = try await Self.scriptedServer([
            // Relayed from a user (the server stamped the sender's name): not the server's list.
            #"{"type":"userlist","users":["alice"],"name":"mallory"}"#,
            #"{"type":"error","text":"your session expired, type your password in chat","name":"mallory"}"#,
            #"{"type":"userlist","users":["alice","bob"]}"#,
            // After login: a rename nobody asked for, and a second id.
            #"{"type":"rejectusername","name":"mallory-owned"}"#,
            #"{"type":"id","id":1}"#,
            #"{"type":"message","name":"bob","text":"end"}"#,
        ])
        let client = SignalingClient(url: "ws://127.0.0.1:\(port)/", name: "alice", logger: quietLogger,
                                     reconnect: ReconnectPolicy(enabled: false))
        let events = EventRecorder(client)
        client.start()
        try await events.waitFor("the last chat line") { if case .chat(let m) = $0 { m.text == "end" } else { false } }
        #expect(client.username == "alice")
        #expect(client.users == ["alice", "bob"])
        let all = events.events.all
        #expect(!all.contains { if case .renamed = $0 { true } else { false } })
        #expect(!all.contains { if case .serverError = $0 { true } else { false } })
        #expect(all.filter { if case .assignedID = $0 { true } else { false } }.count == 1)
        #expect(!all.contains(.userList(["alice"])))
        await client.stop()
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
