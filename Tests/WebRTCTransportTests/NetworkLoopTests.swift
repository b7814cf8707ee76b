import Foundation
import Testing
@testable import WebRTCTransport
import TestSupport

@Suite struct NetworkLoopTests {
    @Test func invokeAndSyncRunOnTheLoopThreadInOrder() {
        let loop = NetworkLoop(name: "test-net")
        defer { loop.stop() }
        let seen = TransportTestCollector<Int>()
        #expect(!loop.isCurrent)
        for i in 0..<100 { loop.invoke { seen.append(loop.isCurrent ? i : -1) } }
        let onLoop = loop.sync { loop.isCurrent }
        #expect(onLoop)
        #expect(seen.all == Array(0..<100))  // sync ran after everything posted before it
        #expect(loop.sync { loop.sync { 42 } } == 42)  // nested sync runs inline instead of deadlocking
    }

    @Test func timersFireRepeatAndCancel() {
        let loop = NetworkLoop()
        defer { loop.stop() }
        let ticks = TransportTestCollector<Int>()
        loop.every(ms: 10) { ticks.append(1); return ticks.all.count < 3 }  // stops itself after 3
        let cancelled = TransportTestCollector<Int>()
        let timer = loop.after(ms: 200) { cancelled.append(1) }
        timer.cancel()
        timer.cancel()  // twice is harmless
        #expect(ticks.wait(seconds: 2) { $0.count == 3 })
        Thread.sleep(forTimeInterval: 0.3)
        #expect(ticks.all.count == 3)
        #expect(cancelled.all.isEmpty)
    }

    @Test func stopFromTheLoopThreadItselfDoesNotDeadlock() {
        let loop = NetworkLoop()
        let stopped = TransportTestCollector<Bool>()
        loop.invoke { loop.stop(); stopped.append(true) }
        #expect(stopped.wait(seconds: 2) { !$0.isEmpty })
        loop.stop()  // again, from outside: no-op
    }
}
