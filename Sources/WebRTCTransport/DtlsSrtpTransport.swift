import Foundation
import Logging
import SDP

/// The media transport of one peer connection: ICE, then DTLS-SRTP on the bundled component.
///
/// Signalling methods may be called from any thread (they post to the network thread); events and
/// inbound packets are delivered on the network thread; `send(rtp:)`/`send(rtcp:)` work from any thread.
package final class DtlsSrtpTransport: @unchecked Sendable {
    /// The network thread shared by ICE, DTLS and SRTP of this connection.
    package let loop: NetworkLoop
    package let ice: IceTransport
    package let certificate: DtlsCertificate
    /// Our a=fingerprint value ("sha-256 AB:...").
    package var localFingerprint: String { certificate.fingerprint }
    /// Our a=ice-ufrag.
    package var localUfrag: String { ice.localUfrag }
    /// Our a=ice-pwd.
    package var localPassword: String { ice.localPassword }

    /// DTLS retransmits at 1, 2, 4, 8... s; a handshake not done this long after ICE connected fails.
    package static let defaultDtlsHandshakeTimeoutMs: UInt64 = 25_000
    /// See `defaultDtlsHandshakeTimeoutMs`.
    package let dtlsHandshakeTimeoutMs: UInt64
    private let ownsLoop: Bool
    private let logger = Logger(label: "tuicall.transport")
    private let lock = NSLock()  // guards handlers, srtp, counters, state
    private var handlers = TransportHandlers()
    private var srtp: SrtpSession?
    private var counters = TransportStats()
    private var state = TransportState.new
    // Network-thread state.
    private var iceState = IceState.new
    private var dtls: DtlsTransport?
    private var dtlsStarted = false
    private var dtlsFailed = false
    private var earlyDtls: [[UInt8]] = []
    /// Test hook: outgoing DTLS datagrams for which this returns false are dropped (simulated loss).
    var dtlsSendFilter: (@Sendable (UnsafeRawBufferPointer) -> Bool)?

    /// Creates the ICE agent (gathering starts with `gather()`); `loop` defaults to a new thread.
    package init(configuration: IceConfiguration, controlling: Bool, certificate: DtlsCertificate? = nil,
                loop: NetworkLoop? = nil, dtlsHandshakeTimeoutMs: UInt64 = DtlsSrtpTransport.defaultDtlsHandshakeTimeoutMs) throws {
        self.dtlsHandshakeTimeoutMs = dtlsHandshakeTimeoutMs
        self.loop = loop ?? NetworkLoop()
        ownsLoop = loop == nil
        self.certificate = try certificate ?? DtlsCertificate.shared()
        let box = WeakBox<DtlsSrtpTransport>()
        ice = try IceTransport(configuration: configuration, controlling: controlling, loop: self.loop,
                               onEvent: { box.value?.iceEvent($0) },
                               onPacket: { box.value?.received($0) })
        box.value = self
    }

    /// Replaces the callbacks (set them before `gather()` to see every candidate).
    package func setHandlers(_ new: TransportHandlers) { lock.withLock { handlers = new } }

    /// Starts gathering local candidates.
    package func gather() { ice.gather() }

    /// Changes the ICE role before checks start (the offerer is controlling).
    package func setControlling(_ controlling: Bool) { ice.setControlling(controlling) }

    /// Sets the peer's ICE credentials from its description.
    package func setRemoteIceParameters(ufrag: String, password: String) {
        ice.setRemoteCredentials(ufrag: ufrag, password: password)
    }

    /// Adds a trickled remote candidate ("candidate:..."); false if it does not parse.
    @discardableResult
    package func addRemoteCandidate(_ candidate: String) -> Bool { ice.addRemoteCandidate(candidate) }

    /// The peer has no more candidates.
    package func remoteGatheringDone() { ice.remoteGatheringDone() }

    /// Arms DTLS with the role from a=setup and the peer's a=fingerprint; the handshake runs once ICE connects.
    package func start(role: DtlsRole, remoteFingerprint: String) {
        loop.invoke { [self] in
            guard dtls == nil, currentState != .closed else { return }
            do {
                let box = WeakBox<DtlsSrtpTransport>()
                let ice = self.ice
                dtls = try DtlsTransport(certificate: certificate, role: role, remoteFingerprint: remoteFingerprint,
                                         loop: loop, handshakeTimeoutMs: dtlsHandshakeTimeoutMs,
                                         send: { [filter = dtlsSendFilter] in filter?($0) == false ? true : ice.send($0) },
                                         onEvent: { box.value?.dtlsEvent($0) })
                box.value = self
            } catch {
                logger.error("\(error)")
                dtlsFailed = true
                updateState()
                return
            }
            for datagram in earlyDtls { datagram.withUnsafeBytes { dtls?.receive($0) } }
            earlyDtls = []
            startDtlsIfReady()
        }
    }

    /// Protects and sends one RTP packet; false when not connected or the packet is malformed.
    @discardableResult
    package func send(rtp packet: [UInt8]) -> Bool {
        guard let protected = protectRtp(packet) else { return false }
        return sendProtected(protected)
    }

    /// Protects and sends one RTCP compound packet.
    @discardableResult
    package func send(rtcp packet: [UInt8]) -> Bool {
        guard let session = lock.withLock({ srtp }),
              let protected = packet.withUnsafeBytes({ session.protectRtcp($0) }) else { return false }
        return sendProtected(protected)
    }

    /// Encrypts an RTP packet without sending it (the RTP layer keeps it for NACK resends).
    package func protectRtp(_ packet: [UInt8]) -> [UInt8]? {
        guard let session = lock.withLock({ srtp }) else { return nil }
        return packet.withUnsafeBytes { session.protectRtp($0) }
    }

    /// Sends an already-protected SRTP/SRTCP packet as is (NACK resends).
    @discardableResult
    package func sendProtected(_ packet: [UInt8]) -> Bool {
        guard lock.withLock({ state == .connected }) else { return false }
        let ok = packet.withUnsafeBytes { ice.send($0) }
        if ok {
            let rtcp = DatagramKind(classifying: packet) == .rtcp
            lock.withLock {
                if rtcp { counters.rtcpPacketsSent += 1; counters.rtcpBytesSent += packet.count }
                else { counters.rtpPacketsSent += 1; counters.rtpBytesSent += packet.count }
            }
        }
        return ok
    }

    /// The SRTP profile negotiated in the DTLS handshake, once connected.
    package var srtpProfile: SrtpProfile? { lock.withLock { srtp?.profile } }

    /// Current combined state.
    package var currentState: TransportState { lock.withLock { state } }

    /// Snapshot of the counters.
    package var stats: TransportStats {
        let (c, s) = lock.withLock { (counters, srtp) }
        var out = c
        if let s { out.srtp = s.stats }
        return out
    }

    /// Sends DTLS close_notify, stops ICE and (when it owns it) the network thread. Idempotent.
    /// From the network thread (e.g. inside an event handler) the work is posted, not done inline,
    /// so no OpenSSL or libnice object is freed under its own callback.
    package func close() {
        if loop.isCurrent {
            loop.invoke { [self] in
                closeNow()
                if ownsLoop { loop.stop() }
            }
            return
        }
        loop.sync { [self] in closeNow() }
        if ownsLoop { loop.stop() }
    }

    private func closeNow() {
        dtls?.close()
        dtls = nil
        ice.close()
        lock.withLock { srtp = nil }
        setState(.closed)
    }

    deinit { if ownsLoop { loop.stop() } }

    // MARK: network thread

    private func iceEvent(_ event: IceEvent) {
        let h = lock.withLock { handlers }
        switch event {
        case .localCandidate(let c): h.onEvent(.localCandidate(c))
        case .gatheringComplete: h.onEvent(.gatheringComplete)
        case let .selectedPair(l, r): h.onEvent(.selectedPair(local: l, remote: r))
        case .state(let s):
            iceState = s
            startDtlsIfReady()
            updateState()
        }
    }

    private func startDtlsIfReady() {
        guard iceState == .connected, let dtls, !dtlsStarted else { return }
        dtlsStarted = true
        dtls.start()
    }

    private func dtlsEvent(_ event: DtlsEvent) {
        switch event {
        case .connected(let keys):
            guard let role = dtlsRole else { return }
            do {
                let session = try SrtpSession(keys: keys, isClient: role == .client)
                lock.withLock { srtp = session }
            } catch {
                logger.error("\(error)")
                dtlsFailed = true
            }
        case .failed:
            dtlsFailed = true
        case .closed:
            lock.withLock { srtp = nil }
            setState(.closed)
            return
        }
        updateState()
    }

    private var dtlsRole: DtlsRole? { dtls.map { $0.role } }

    private func received(_ datagram: UnsafeRawBufferPointer) {
        switch DatagramKind(classifying: datagram) {
        case .dtls:
            if let dtls { dtls.receive(datagram) }
            else if earlyDtls.count < DtlsTransport.maxEarlyDatagrams { earlyDtls.append(Array(datagram)) }
        case .rtp, .rtcp:
            deliverMedia(datagram)
        case .stun:
            break  // libnice consumes STUN before it gets here
        case .unknown:
            lock.withLock { counters.unknownDatagrams += 1 }
        }
    }

    private func deliverMedia(_ datagram: UnsafeRawBufferPointer) {
        let rtcp = DatagramKind(classifying: datagram) == .rtcp
        let (session, h) = lock.withLock { (state == .connected ? srtp : nil, handlers) }
        guard let session else {
            lock.withLock { counters.droppedWithoutKeys += 1 }
            return
        }
        guard let plain = rtcp ? session.unprotectRtcp(datagram) : session.unprotectRtp(datagram) else { return }
        lock.withLock {
            if rtcp { counters.rtcpPacketsReceived += 1; counters.rtcpBytesReceived += datagram.count }
            else { counters.rtpPacketsReceived += 1; counters.rtpBytesReceived += datagram.count }
        }
        if rtcp { h.onRtcp(plain) } else { h.onRtp(plain) }
    }

    private func updateState() {
        let hasKeys = lock.withLock { srtp != nil }
        let next: TransportState
        if iceState == .closed { next = .closed }
        else if iceState == .failed || dtlsFailed { next = .failed }
        else if iceState == .connected && hasKeys { next = .connected }
        else if iceState == .checking || iceState == .connected || dtlsStarted { next = .connecting }
        else { next = .new }
        setState(next)
    }

    private func setState(_ next: TransportState) {
        let (changed, h): (Bool, TransportHandlers) = lock.withLock {
            // failed and closed are final; failed may still become closed.
            guard next != state, state != .closed, !(state == .failed && next != .closed) else { return (false, handlers) }
            state = next
            if next == .failed { srtp = nil }  // no media is accepted after a failure (e.g. fingerprint mismatch)
            return (true, handlers)
        }
        if changed { h.onEvent(.state(next)) }
    }
}

/// A weak reference that C-callback closures can capture before `self` is fully initialised.
package final class WeakBox<T: AnyObject>: @unchecked Sendable {
    package weak var value: T?
    package init() {}
}
