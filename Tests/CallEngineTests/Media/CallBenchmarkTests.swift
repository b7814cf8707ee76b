@testable import Benchmarks
@testable import CallEngine
import Foundation
import Testing

@Suite(.serialized) struct CallBenchmarkTests {
    /// Both endpoints of `bench call` in one process, over two pipes instead of two processes.
    @Test func endpointsExchangeSignalingOverPipesAndMeasureLatency() throws {
        var aToB: [Int32] = [0, 0], bToA: [Int32] = [0, 0]
        #expect(pipe(&aToB) == 0 && pipe(&bToA) == 0)
        defer { for fd in aToB + bToA { close(fd) } }
        let (answererRead, answererWrite) = (aToB[0], bToA[1])
        let answerer = Thread {
            _ = try? CallBenchmark.runEndpoint(offerer: false, width: 160, height: 120, fps: 30, durationSeconds: 3,
                                               readFd: answererRead, writeFd: answererWrite)
        }
        answerer.start()
        let (local, remote) = try CallBenchmark.runEndpoint(offerer: true, width: 160, height: 120, fps: 30,
                                                            durationSeconds: 3, readFd: bToA[0], writeFd: aToB[1])
        let other = try #require(remote)
        #expect(local.role == "offerer" && other.role == "answerer")
        for r in [local, other] {
            #expect(r.framesDecoded > 10)
            #expect(r.setupMs > 0)
            // Latency read back from the decoded pattern: positive and well under a second on loopback.
            let p50 = try #require(r.glassToGlassP50Ms)
            #expect(p50 > 0 && p50 < 1000)
            #expect(r.receivedVideoKbps > 0 && r.receivedAudioKbps > 0)
        }
    }
}
