@testable import SDP
import Testing

@Suite struct IceCandidateTests {
    @Test func parsesMDNStyleTrickledServerReflexiveCandidate() throws {
        let text = "candidate:842163049 1 udp 1677729535 203.0.113.5 46154 typ srflx raddr 0.0.0.0 rport 0 "
            + "generation 0 ufrag EsAw network-cost 999"
        let candidate = try IceCandidate(parsing: text)
        #expect(candidate.foundation == "842163049")
        #expect(candidate.component == 1)
        #expect(candidate.transport == .udp)
        #expect(candidate.priority == 1677729535)
        #expect(candidate.address == "203.0.113.5" && candidate.port == 46154)
        #expect(candidate.kind == .srflx)
        #expect(candidate.relatedAddress == "0.0.0.0" && candidate.relatedPort == 0)
        #expect(candidate.generation == 0 && candidate.ufrag == "EsAw" && candidate.networkCost == 999)
        #expect(!candidate.isTCP && !candidate.isMDNS && !candidate.isIPv6)
        #expect(candidate.attributeValue == text)
    }

    @Test func parsesTcpActiveHostCandidate() throws {
        let text = "candidate:1825109112 1 tcp 1518214911 192.0.2.2 9 typ host tcptype active generation 0 network-id 1"
        let candidate = try IceCandidate(parsing: "a=" + text)
        #expect(candidate.isTCP && candidate.tcpType == .active && candidate.networkId == 1)
        #expect(candidate.attributeValue == text)
    }

    @Test func recognisesMDNSHostnames() throws {
        let candidate = try IceCandidate(parsing:
            "candidate:3442447574 1 udp 2122260223 8d8cfa6a-1c3f-4d2b-9f6e-7a1e1f2c3b4d.local 54321 typ host "
            + "generation 0 ufrag EsAw network-id 1")
        #expect(candidate.isMDNS && !candidate.isIPv6 && !candidate.isTCP)
        #expect(candidate.address.hasSuffix(".local"))
    }

    @Test func keepsUnknownExtensionsAndRelayType() throws {
        let text = "candidate:1 1 UDP 41885439 198.51.100.7 3478 typ relay raddr 203.0.113.5 rport 46154 x-future 7"
        let candidate = try IceCandidate(parsing: text)
        #expect(candidate.kind == .relay && candidate.transport == .udp)
        #expect(candidate.extensions == [IceCandidate.Extension(name: "x-future", value: "7")])
        #expect(try IceCandidate(parsing: candidate.attributeValue) == candidate)
    }

    @Test func everyCandidateLineInTheFixturesParsesAndRoundTrips() throws {
        var count = 0
        for name in SDPFixtures.names {
            for line in try SDPFixtures.text(name).components(separatedBy: "\r\n") where line.hasPrefix("a=candidate:") {
                let candidate = try IceCandidate(parsing: line)
                #expect("a=" + candidate.attributeValue == line)
                #expect(candidate.component == 1 && candidate.kind == .host)
                count += 1
            }
        }
        #expect(count == 8)
        let reanswer = try SDPFixtures.parsed("chromium156-reanswer")
        let ipv6 = reanswer.media[0].candidates[1]
        #expect(ipv6.address == "fd00::2" && ipv6.isIPv6 && ipv6.port == 36451 && ipv6.networkId == 2)
    }

    @Test(arguments: [
        ("candidate:1 1 udp 1 1.2.3.4 5", "8 fields"),
        ("candidate:1 0 udp 1 1.2.3.4 5 typ host", "component"),
        ("candidate:1 1 udp 4294967296 1.2.3.4 5 typ host", "priority"),
        ("candidate:1 1 udp 1 1.2.3.4 65536 typ host", "port"),
        ("candidate:1 1 udp 1 1.2.3.4 5 type host", "typ"),
        ("candidate:1 1 udp 1 1.2.3.4 5 typ host raddr", "no value"),
        ("candidate:1 1 tcp 1 1.2.3.4 5 typ host tcptype sideways", "tcptype"),
        ("candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.1.1.1 rport x", "rport"),
    ])
    func malformedCandidatesThrowWithTheReason(text: String, reason: String) throws {
        let error = try #require(throws: SDPError.self) { try IceCandidate(parsing: text) }
        #expect(error.reason.contains(reason))
        #expect(error.line == text && error.lineNumber == nil)
    }

    @Test func badCandidateInsideSDPNamesTheLine() throws {
        var lines = try SDPFixtures.text("chromium156-reanswer").components(separatedBy: "\r\n")
        lines[12] = "a=candidate:1825109112 1 tcp 1518214911 192.0.2.2 9 typ"
        let error = try #require(throws: SDPError.self) { try SessionDescription.parse(lines.joined(separator: "\r\n")) }
        #expect(error.lineNumber == 13 && error.line == lines[12])
    }
}
