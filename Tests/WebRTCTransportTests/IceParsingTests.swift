import Testing
@testable import WebRTCTransport

/// ICE server URLs and certificate fingerprints (candidate parsing is IceCandidate's, tested with the SDP code).
@Suite struct IceParsingTests {
    @Test func parsesIceServerUrls() throws {
        let s = try IceServerURL(parsing: "stun:stun.example.org")
        #expect(s.kind == .stun && s.host == "stun.example.org" && s.port == 3478)
        let t = try IceServerURL(parsing: "turn:127.0.0.1:40000?transport=udp")
        #expect(t.kind == .turn && t.host == "127.0.0.1" && t.port == 40000)
        let v6 = try IceServerURL(parsing: "turn:[::1]:3479")
        #expect(v6.host == "::1" && v6.port == 3479)
        #expect(throws: TransportError.self) { try IceServerURL(parsing: "turns:example.org") }
        #expect(t.transport == .udp)
        let tcp = try IceServerURL(parsing: "turn:example.org?transport=tcp")
        #expect(tcp.kind == .turn && tcp.transport == .tcp && tcp.port == 3478)
        #expect(throws: TransportError.self) { try IceServerURL(parsing: "stun:example.org?transport=tcp") }
        #expect(throws: TransportError.self) { try IceServerURL(parsing: "turn:example.org?transport=sctp") }
        #expect(throws: TransportError.self) { try IceServerURL(parsing: "stun:host:notaport") }
    }

    @Test func certificateFingerprintIsSha256InSdpForm() throws {
        let cert = try DtlsCertificate()
        let parts = cert.fingerprint.split(separator: " ")
        #expect(parts.count == 2 && parts[0] == "sha-256")
        #expect(parts[1].split(separator: ":").count == 32)
        #expect(DtlsCertificate.matches(cert.x509, fingerprint: cert.fingerprint.lowercased()))
        #expect(!DtlsCertificate.matches(cert.x509, fingerprint: try DtlsCertificate().fingerprint))
        #expect(!DtlsCertificate.matches(cert.x509, fingerprint: "garbage"))
    }
}
