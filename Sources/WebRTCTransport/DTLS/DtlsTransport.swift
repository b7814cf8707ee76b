import COpenSSL
import CShims
import Foundation
import Logging
import Media
import SDP

/// What the DTLS layer reports, on the network thread.
enum DtlsEvent: Sendable {
    /// Handshake done and the peer certificate matched the SDP fingerprint.
    case connected(SrtpKeyingMaterial)
    case failed(String)
    /// The peer sent close_notify.
    case closed
}

/// DTLS 1.2 with the use_srtp extension over a datagram path (RFC 5764), confined to the network thread.
/// `@unchecked Sendable`: it is created, driven and closed on the network thread only (its owner's `LoopBound`).
final class DtlsTransport: DatagramEndpoint, @unchecked Sendable {
    /// Record size limit: fits a 1280-byte IPv6 path with TURN and IP/UDP headers, like Chromium.
    static let defaultMTU = 1200
    /// How often the retransmission timer is checked while handshaking.
    static let timerTickMs: UInt32 = 20
    /// Datagrams kept while waiting for `start` (a peer may send ClientHello before we know its fingerprint).
    static let maxEarlyDatagrams = 32

    let mtu: Int
    private let handshakeTimeoutMs: UInt64
    let role: DtlsRole
    private let remoteFingerprint: String
    private let loop: NetworkLoop
    private let send: @Sendable (UnsafeRawBufferPointer) -> Bool
    private let onEvent: @Sendable (DtlsEvent) -> Void
    private let logger = Logger(label: "tuicall.dtls")
    private var ctx: OpaquePointer?
    private var ssl: OpaquePointer?
    private var inbox: [[UInt8]] = []
    private var started = false
    private var finished = false
    private var done = false  // failed or closed
    private var timer: LoopTimer?
    private var startedAtNs: UInt64 = 0

    /// Profiles we offer in use_srtp, most preferred first.
    static var offeredProfiles: [SrtpProfile] {
        SrtpProfile.allCases.filter { $0 == .aes128CmSha1_80 || SrtpSession.supports($0) }.reversed()
    }

    init(certificate: DtlsCertificate, role: DtlsRole, remoteFingerprint: String, loop: NetworkLoop,
         mtu: Int = DtlsTransport.defaultMTU, handshakeTimeoutMs: UInt64 = DtlsSrtpTransport.defaultDtlsHandshakeTimeoutMs,
         send: @escaping @Sendable (UnsafeRawBufferPointer) -> Bool,
         onEvent: @escaping @Sendable (DtlsEvent) -> Void) throws {
        self.role = role
        self.remoteFingerprint = remoteFingerprint
        self.loop = loop
        self.mtu = mtu
        self.handshakeTimeoutMs = handshakeTimeoutMs
        self.send = send
        self.onEvent = onEvent
        guard let ctx = SSL_CTX_new(DTLS_method()) else { throw TransportError.dtls("SSL_CTX_new: \(opensslErrors())") }
        self.ctx = ctx
        // Chromium prefers DTLS 1.3 but accepts 1.2; capping keeps use_srtp key export as RFC 5764 defines it.
        _ = shim_SSL_CTX_set_min_proto_version(ctx, DTLS1_2_VERSION)
        _ = shim_SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION)
        guard SSL_CTX_use_certificate(ctx, certificate.x509) == 1, SSL_CTX_use_PrivateKey(ctx, certificate.key) == 1 else {
            throw TransportError.dtls("certificate rejected: \(opensslErrors())")
        }
        // Self-signed peers are the norm: accept here, compare the SDP fingerprint after the handshake.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) { _, _ in 1 }
        let profiles = Self.offeredProfiles.map(\.rawValue).joined(separator: ":")
        guard SSL_CTX_set_tlsext_use_srtp(ctx, profiles) == 0 else {  // 0 means success here
            throw TransportError.dtls("use_srtp \(profiles): \(opensslErrors())")
        }
        guard let ssl = SSL_new(ctx), let bio = DatagramBIO.make(for: self) else {
            throw TransportError.dtls("SSL_new: \(opensslErrors())")
        }
        self.ssl = ssl
        SSL_set_bio(ssl, bio, bio)
        SSL_set_options(ssl, shim_SSL_OP_NO_QUERY_MTU())
        _ = shim_SSL_set_mtu(ssl, mtu)
        if role == .client { SSL_set_connect_state(ssl) } else { SSL_set_accept_state(ssl) }
    }

    var isConnected: Bool { finished && !done }

    /// Begins the handshake (the client sends its ClientHello); network thread only.
    func start() {
        guard !started, !done else { return }
        started = true
        startedAtNs = MonotonicClock.now()
        timer = loop.every(ms: Self.timerTickMs) { [weak self] in self?.tick() ?? false }
        drive()
    }

    /// Feeds one received DTLS datagram; network thread only.
    func receive(_ datagram: UnsafeRawBufferPointer) {
        guard !done, ssl != nil else { return }
        if inbox.count < Self.maxEarlyDatagrams { inbox.append(Array(datagram)) }
        guard started else { return }
        if finished { readApplication() } else { drive() }
    }

    /// Sends close_notify when connected and frees OpenSSL state; network thread only.
    func close() {
        timer?.cancel()
        timer = nil
        if let ssl {
            if finished && !done { _ = SSL_shutdown(ssl) }
            SSL_free(ssl)  // frees the BIO
        }
        ssl = nil
        if let ctx { SSL_CTX_free(ctx) }
        ctx = nil
        done = true
    }

    // MARK: DatagramEndpoint (called by OpenSSL on the network thread)

    func sendDatagram(_ bytes: UnsafeRawBufferPointer) -> Bool {
        _ = send(bytes)
        return true  // a lost datagram is DTLS's retransmission timer's problem, not a write error
    }

    func nextDatagram() -> [UInt8]? { inbox.isEmpty ? nil : inbox.removeFirst() }

    var pendingDatagramSize: Int { inbox.first?.count ?? 0 }

    // MARK: handshake

    private func drive() {
        guard let ssl, !finished, !done else { return }
        ERR_clear_error()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 {
            handshakeFinished(ssl)
            return
        }
        let err = SSL_get_error(ssl, rc)
        if err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE {
            fail("handshake error \(err): \(opensslErrors())")
        }
    }

    private func handshakeFinished(_ ssl: OpaquePointer) {
        finished = true
        timer?.cancel()
        timer = nil
        guard let peer = SSL_get1_peer_certificate(ssl) else { return fail("peer sent no certificate") }
        defer { X509_free(peer) }
        guard DtlsCertificate.matches(peer, fingerprint: remoteFingerprint) else {
            let actual = DtlsCertificate.digest(peer, algorithm: "sha-256") ?? "?"
            return fail("peer certificate sha-256 \(actual) does not match the SDP fingerprint \(remoteFingerprint)")
        }
        guard let selected = SSL_get_selected_srtp_profile(ssl),
              let profile = SrtpProfile(rawValue: String(cString: selected.pointee.name)) else {
            return fail("peer negotiated no SRTP profile (use_srtp missing)")
        }
        let length = SrtpKeyingMaterial.length(for: profile)
        var exported = [UInt8](repeating: 0, count: length)
        let label = SrtpKeyingMaterial.exporterLabel
        guard SSL_export_keying_material(ssl, &exported, length, label, label.utf8.count, nil, 0, 0) == 1,
              let keys = SrtpKeyingMaterial(profile: profile, exported: exported) else {
            return fail("keying material export failed: \(opensslErrors())")
        }
        logger.debug("DTLS \(String(cString: SSL_get_version(ssl))) connected as \(role), \(profile.rawValue)")
        onEvent(.connected(keys))
        if !inbox.isEmpty { readApplication() }
    }

    /// After the handshake, records are alerts (or retransmitted handshake flights OpenSSL answers).
    private func readApplication() {
        guard let ssl else { return }
        var buf = [UInt8](repeating: 0, count: 2048)
        while !inbox.isEmpty && !done {
            ERR_clear_error()
            let n = SSL_read(ssl, &buf, Int32(buf.count))
            if n > 0 { continue }  // DTLS application data (data channels) is not used: discard
            let err = SSL_get_error(ssl, n)
            if err == SSL_ERROR_ZERO_RETURN {
                done = true
                onEvent(.closed)
            } else if err == SSL_ERROR_SSL {
                fail("fatal DTLS error: \(opensslErrors())")
            } else if err == SSL_ERROR_WANT_READ {
                continue
            } else {
                break
            }
        }
    }

    private func tick() -> Bool {
        guard let ssl, !finished, !done else { return false }
        if MonotonicClock.now() - startedAtNs > handshakeTimeoutMs * 1_000_000 {
            fail("handshake did not finish within \(handshakeTimeoutMs) ms")
            return false
        }
        var tv = timeval()
        if shim_DTLSv1_get_timeout(ssl, &tv) == 1 && tv.tv_sec == 0 && tv.tv_usec == 0 {
            if shim_DTLSv1_handle_timeout(ssl) < 0 {
                fail("retransmission limit reached: \(opensslErrors())")
                return false
            }
        }
        return true
    }

    private func fail(_ reason: String) {
        guard !done else { return }
        logger.warning("DTLS failed: \(reason)")
        done = true
        timer?.cancel()
        timer = nil
        onEvent(.failed(reason))
    }

    deinit {
        if let ssl { SSL_free(ssl) }
        if let ctx { SSL_CTX_free(ctx) }
    }
}
