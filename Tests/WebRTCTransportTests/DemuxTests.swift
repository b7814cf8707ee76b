import Testing
@testable import WebRTCTransport

@Suite struct DemuxTests {
    @Test func classifiesByFirstByteAndRtcpPayloadType() {
        #expect(DatagramKind(classifying: [0x00, 0x01]) == .stun)
        #expect(DatagramKind(classifying: [22, 0xfe, 0xfd]) == .dtls)
        #expect(DatagramKind(classifying: [0x80, 96]) == .rtp)
        #expect(DatagramKind(classifying: [0x80, 0x80 | 96]) == .rtp)  // marker bit set, PT 96
        #expect(DatagramKind(classifying: [0x81, 200]) == .rtcp)       // SR
        #expect(DatagramKind(classifying: [0x81, 206]) == .rtcp)       // PSFB
        #expect(DatagramKind(classifying: [64, 1]) == .unknown)
        #expect(DatagramKind(classifying: [0x80]) == .unknown)
        #expect(DatagramKind(classifying: []) == .unknown)
    }
}
