import Testing
@testable import WebRTCTransport
import TestSupport

@Suite struct SrtpSessionTests {
    static func pair(_ profile: SrtpProfile) throws -> (SrtpSession, SrtpSession) {
        let n = profile.keyLength + profile.saltLength
        let keys = SrtpKeyingMaterial(profile: profile, clientMaster: (0..<n).map { UInt8($0) },
                                      serverMaster: (0..<n).map { UInt8(200 - $0) })
        return (try SrtpSession(keys: keys, isClient: true), try SrtpSession(keys: keys, isClient: false))
    }

    @Test(arguments: SrtpProfile.allCases.filter { SrtpSession.supports($0) })
    func protectThenUnprotectRoundTripsBothDirections(profile: SrtpProfile) throws {
        let (client, server) = try Self.pair(profile)
        let rtp = makeTestRtp(seq: 1, payload: Array("hello".utf8))
        let srtp = try #require(rtp.withUnsafeBytes { client.protectRtp($0) })
        #expect(srtp.count > rtp.count)
        #expect(Array(srtp[12..<17]) != Array("hello".utf8))  // payload is encrypted
        #expect(srtp.withUnsafeBytes { server.unprotectRtp($0) } == rtp)
        let rtcp = makeTestRtcpRR()
        let srtcp = try #require(rtcp.withUnsafeBytes { server.protectRtcp($0) })
        #expect(srtcp.withUnsafeBytes { client.unprotectRtcp($0) } == rtcp)
        // A session cannot read its own direction: keys differ per direction.
        #expect(srtp.withUnsafeBytes { client.unprotectRtp($0) } == nil)
    }

    @Test func replayAndTamperingAreCountedSeparately() throws {
        let (client, server) = try Self.pair(.aes128CmSha1_80)
        let p1 = try #require(makeTestRtp(seq: 500, payload: [1, 2, 3]).withUnsafeBytes { client.protectRtp($0) })
        var p2 = try #require(makeTestRtp(seq: 501, payload: [4, 5, 6]).withUnsafeBytes { client.protectRtp($0) })
        p2[p2.count - 1] ^= 1  // corrupt the auth tag
        #expect(p1.withUnsafeBytes { server.unprotectRtp($0) } != nil)
        #expect(p1.withUnsafeBytes { server.unprotectRtp($0) } == nil)
        #expect(p2.withUnsafeBytes { server.unprotectRtp($0) } == nil)
        #expect([UInt8]([0x80, 96, 0]).withUnsafeBytes { server.unprotectRtp($0) } == nil)  // truncated
        let stats = server.stats
        #expect(stats.rtpUnprotected == 1)
        #expect(stats.replayDrops == 1)
        #expect(stats.authDrops == 1)
        #expect(stats.otherDrops == 1)
    }

    @Test func keyingMaterialSplitFollowsRfc5764Layout() throws {
        let exported = (0..<60).map { UInt8($0) }
        let keys = try #require(SrtpKeyingMaterial(profile: .aes128CmSha1_80, exported: exported))
        #expect(keys.clientMaster == Array(0..<16) + Array(32..<46))
        #expect(keys.serverMaster == Array(16..<32) + Array(46..<60))
        #expect(SrtpKeyingMaterial(profile: .aes128CmSha1_80, exported: Array(exported.prefix(56))) == nil)
        let gcm = try #require(SrtpKeyingMaterial(profile: .aeadAes128Gcm, exported: Array(exported.prefix(56))))
        #expect(gcm.clientMaster == Array(0..<16) + Array(32..<44))
    }
}
