@testable import SDP
import Media
import Testing

/// Random mutations of the real fixtures: the parser and the negotiation must return a value or an error,
/// never trap, and what we serialize must parse again.
@Suite struct SDPFuzzTests {
    /// Iterations per fixture (4 fixtures).
    static let iterations = 1000

    static let interesting: [[UInt8]] = [
        Array(":".utf8), Array(" ".utf8), Array("/".utf8), Array("=".utf8), Array("\r".utf8), Array("\n".utf8),
        Array("\r\n".utf8), [0], Array("-1".utf8), Array("4294967296".utf8), Array("99999999999999999999".utf8),
        Array("0".utf8), Array("127".utf8), Array("128".utf8), Array("65536".utf8), Array("*".utf8),
        Array("a=".utf8), Array("m=video 0 UDP/TLS/RTP/SAVPF 96\r\n".utf8), Array("a=mid:0\r\n".utf8),
        Array("a=setup:active\r\n".utf8), Array("a=candidate:1 1 tcp 1 x.local 9 typ host tcptype so\r\n".utf8),
        Array("é".utf8), Array("\u{301}".utf8), Array("\u{FEFF}".utf8), [0xFF, 0xFE],
    ]

    static func mutate(_ bytes: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let position = out.isEmpty ? 0 : Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where !out.isEmpty: out[position] = UInt8.random(in: 0...255, using: &rng)
            case 1: out.insert(contentsOf: interesting.randomElement(using: &rng)!, at: position)
            case 2 where !out.isEmpty:
                let length = Int.random(in: 1...min(64, out.count - position), using: &rng)
                out.removeSubrange(position..<(position + length))
            case 3: out = Array(out.prefix(position))
            case 4 where !out.isEmpty:  // duplicate a chunk (often whole lines) elsewhere
                let length = Int.random(in: 1...min(200, out.count - position), using: &rng)
                let chunk = out[position..<(position + length)]
                out.insert(contentsOf: chunk, at: Int.random(in: 0...out.count, using: &rng))
            case 5 where !out.isEmpty:  // replace a digit run with an extreme number
                var end = position
                while end < out.count, (0x30...0x39).contains(out[end]) { end += 1 }
                out.replaceSubrange(position..<end, with: interesting[Int.random(in: 8...15, using: &rng)])
            default: out.insert(UInt8.random(in: 0x20...0x7E, using: &rng), at: position)
            }
        }
        return out
    }

    @Test(arguments: SDPFixtures.names)
    func mutatedFixturesNeverCrashTheParserOrTheNegotiation(name: String) throws {
        let original = Array(try SDPFixtures.text(name).utf8)
        let seed = UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { ($0 &* 33) &+ Int($1) })
        var rng = SplitMix64(seed: seed)
        let local = SDPFixtures.local()
        let (_, previous) = try Negotiation.answer(to: SDPFixtures.parsed("chromium156-offer"), local: local)
        var parsedCount = 0, errorCount = 0, answeredCount = 0
        for iteration in 0..<Self.iterations {
            let text = String(decoding: Self.mutate(original, using: &rng), as: UTF8.self)
            let description: SessionDescription
            do {
                description = try SessionDescription.parse(text)
            } catch let error as SDPError {
                errorCount += 1
                #expect(error.line.unicodeScalars.count <= SDPError.maximumExcerptLength + 3)
                #expect(error.lineNumber.map { $0 >= 1 } ?? true)
                continue
            }
            parsedCount += 1
            // Whatever we accept we can write, and our own output is stable.
            let written = description.serialized()
            let reparsed = try #require(try? SessionDescription.parse(written), "seed \(seed) iteration \(iteration)")
            #expect(reparsed.serialized() == written, "seed \(seed) iteration \(iteration)")
            for (asPrevious, _) in [(nil as NegotiatedSession?, 0), (previous, 1)] {
                do {
                    let (answer, session) = try Negotiation.answer(to: description, local: local, previous: asPrevious)
                    answeredCount += 1
                    #expect((try? SessionDescription.parse(answer.serialized())) != nil, "seed \(seed) iteration \(iteration)")
                    _ = Negotiation.offer(local: local, previous: session)
                    _ = try? Negotiation.apply(answer: description, to: answer, previous: session)
                } catch is NegotiationError {
                    continue
                }
            }
        }
        print("fuzz \(name): parsed \(parsedCount), errors \(errorCount), answered \(answeredCount)")
        #expect(parsedCount + errorCount == Self.iterations)
        // The mutations must exercise both paths, or the fuzzer tests nothing.
        #expect(parsedCount > Self.iterations / 10 && errorCount > Self.iterations / 10)
        #expect(answeredCount > 0 || name.contains("answer"))
    }

    @Test func mutatedCandidatesNeverCrash() throws {
        var rng = SplitMix64(seed: 42)
        let sources = [
            "candidate:842163049 1 udp 1677729535 203.0.113.5 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 "
                + "ufrag EsAw network-cost 999",
            "candidate:1825109112 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active generation 0 network-id 1",
        ]
        var parsed = 0
        for iteration in 0..<3000 {
            let text = String(decoding: Self.mutate(Array(sources[iteration % 2].utf8), using: &rng), as: UTF8.self)
            guard let candidate = try? IceCandidate(parsing: text) else { continue }
            parsed += 1
            #expect(try IceCandidate(parsing: candidate.attributeValue) == candidate, "\(text)")
        }
        #expect(parsed > 100)
    }
}
