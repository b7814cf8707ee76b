import CSRTP

/// Counters of one SRTP session; drops are packets that failed authentication or replay checks.
package struct SrtpStats: Sendable, Equatable {
    package var rtpProtected = 0
    package var rtcpProtected = 0
    package var rtpUnprotected = 0
    package var rtcpUnprotected = 0
    /// Inbound packets seen before (libsrtp replay window).
    package var replayDrops = 0
    /// Inbound packets whose authentication tag did not verify (tampered or wrong key).
    package var authDrops = 0
    /// Inbound packets rejected for any other reason (truncated, unknown SSRC state...).
    package var otherDrops = 0
    package init() {}
}

/// SRTP and SRTCP for one DTLS-SRTP association (libsrtp2): an outbound session with our write key
/// and an inbound session with the peer's, each for any SSRC.
///
/// Not Sendable: one thread owns it (a transport's network loop, or a benchmark's thread), so libsrtp's
/// sessions and the counters need no lock.
package final class SrtpSession {
    /// Replay window in packets; browsers use 64-1024, design notes ask for 128.
    package static let replayWindow = 128
    /// Bytes an encrypted packet may grow by (auth tag + SRTCP index).
    package static let maxTrailer = Int(SRTP_MAX_TRAILER_LEN)

    /// The protection profile the keys are for.
    package let profile: SrtpProfile
    private var outbound: srtp_t?
    private var inbound: srtp_t?
    private var counters = SrtpStats()

    private static let initOnce: srtp_err_status_t = srtp_init()

    /// Keys the session: a DTLS client writes with the client key and reads with the server key.
    package init(keys: SrtpKeyingMaterial, isClient: Bool) throws {
        profile = keys.profile
        guard Self.initOnce == srtp_err_status_ok else { throw TransportError.srtp("srtp_init failed: \(Self.initOnce.rawValue)") }
        outbound = try Self.create(profile: keys.profile, master: isClient ? keys.clientMaster : keys.serverMaster, outbound: true)
        do {
            inbound = try Self.create(profile: keys.profile, master: isClient ? keys.serverMaster : keys.clientMaster, outbound: false)
        } catch {
            srtp_dealloc(outbound)
            throw error
        }
    }

    /// True when this libsrtp build can key `profile` (GCM needs libsrtp built against OpenSSL/NSS).
    package static func supports(_ profile: SrtpProfile) -> Bool {
        guard initOnce == srtp_err_status_ok else { return false }
        let master = [UInt8](repeating: 1, count: profile.keyLength + profile.saltLength)
        guard let s = try? create(profile: profile, master: master, outbound: true) else { return false }
        srtp_dealloc(s)
        return true
    }

    private static func create(profile: SrtpProfile, master: [UInt8], outbound: Bool) throws -> srtp_t {
        var policy = srtp_policy_t()
        switch profile {
        case .aes128CmSha1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAes128Gcm:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        }
        policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound
        policy.window_size = UInt(replayWindow)
        policy.allow_repeat_tx = 0  // NACK resends the stored encrypted packet, never re-protects
        var key = master
        var session: srtp_t?
        let err = key.withUnsafeMutableBufferPointer { kp -> srtp_err_status_t in
            policy.key = kp.baseAddress
            return srtp_create(&session, &policy)  // copies the key
        }
        guard err == srtp_err_status_ok, let session else {
            throw TransportError.srtp("srtp_create(\(profile.rawValue)) failed with status \(err.rawValue)")
        }
        return session
    }

    /// Encrypts one RTP packet; nil when libsrtp refuses it (malformed header).
    package func protectRtp(_ packet: UnsafeRawBufferPointer) -> [UInt8]? { protect(packet, rtcp: false) }

    /// Encrypts one RTCP compound packet.
    package func protectRtcp(_ packet: UnsafeRawBufferPointer) -> [UInt8]? { protect(packet, rtcp: true) }

    /// Decrypts and authenticates one SRTP packet; nil (and a counted drop) when it fails.
    package func unprotectRtp(_ packet: UnsafeRawBufferPointer) -> [UInt8]? { unprotect(packet, rtcp: false) }

    /// Decrypts and authenticates one SRTCP packet; nil (and a counted drop) when it fails.
    package func unprotectRtcp(_ packet: UnsafeRawBufferPointer) -> [UInt8]? { unprotect(packet, rtcp: true) }

    /// Snapshot of the counters.
    package var stats: SrtpStats { counters }

    private func protect(_ packet: UnsafeRawBufferPointer, rtcp: Bool) -> [UInt8]? {
        guard packet.count >= (rtcp ? 8 : 12) else { return nil }
        var buf = [UInt8](repeating: 0, count: packet.count + Self.maxTrailer)
        var len = Int32(packet.count)
        let err: srtp_err_status_t = buf.withUnsafeMutableBytes { out in
            out.copyMemory(from: packet)
            return rtcp ? srtp_protect_rtcp(outbound, out.baseAddress, &len) : srtp_protect(outbound, out.baseAddress, &len)
        }
        guard err == srtp_err_status_ok else { return nil }
        if rtcp { counters.rtcpProtected += 1 } else { counters.rtpProtected += 1 }
        buf.removeLast(buf.count - Int(len))
        return buf
    }

    private func unprotect(_ packet: UnsafeRawBufferPointer, rtcp: Bool) -> [UInt8]? {
        var buf = [UInt8](packet)
        var len = Int32(packet.count)
        let err: srtp_err_status_t
        if packet.count < (rtcp ? 8 : 12) {
            err = srtp_err_status_bad_param
        } else {
            err = buf.withUnsafeMutableBytes { out in
                rtcp ? srtp_unprotect_rtcp(inbound, out.baseAddress, &len) : srtp_unprotect(inbound, out.baseAddress, &len)
            }
        }
        switch err {
        case srtp_err_status_ok: if rtcp { counters.rtcpUnprotected += 1 } else { counters.rtpUnprotected += 1 }
        case srtp_err_status_replay_fail, srtp_err_status_replay_old: counters.replayDrops += 1
        case srtp_err_status_auth_fail: counters.authDrops += 1
        default: counters.otherDrops += 1
        }
        guard err == srtp_err_status_ok else { return nil }
        buf.removeLast(buf.count - Int(len))
        return buf
    }

    deinit {
        if let outbound { srtp_dealloc(outbound) }
        if let inbound { srtp_dealloc(inbound) }
    }
}
