import Foundation
import SignalingClient
import Synchronization

/// Records a client's events so tests can wait for one.
package final class EventRecorder: Sendable {
    package final class Log: Sendable {
        package let items = Mutex<[SignalingEvent]>([])
        package func append(_ e: SignalingEvent) { items.withLock { $0.append(e) } }
        package var all: [SignalingEvent] { items.withLock { $0 } }
        package init() {}
    }
    package let events = Log()
    package let client: SignalingClient
    package let task: Task<Void, Never>

    package init(_ client: SignalingClient) {
        self.client = client
        let events = self.events
        task = Task { for await e in client.events { events.append(e) } }
    }

    /// Waits for an event matching `match` that arrived at index >= `from`; returns its index.
    @discardableResult
    package func waitFor(from: Int = 0, timeout: Double = 5, _ what: String = "event",
                         _ match: @escaping (SignalingEvent) -> Bool) async throws -> Int {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let all = events.all
            let found = all.indices.first { $0 >= from && match(all[$0]) }
            if let found { return found }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TimeoutError(description: "no \(what) within \(timeout) s; saw \(events.all)")
    }

    package var count: Int { events.all.count }
}
