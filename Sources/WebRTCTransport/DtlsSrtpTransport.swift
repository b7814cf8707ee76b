import Foundation
import Logging
import Synchronization
import SDP

/// The media transport of one peer connection: ICE, then DTLS-SRTP on the bundled component.
///
/// Its state (DTLS, SRTP, handlers, counters) is bound to the network loop: events and inbound packets are
/// delivered there, and the media path sends from there without locks. Calls from other threads (signalling,
/// tests) hop onto the loop. `@unchecked Sendable`: mutable state is in `net` (checked `LoopBound`) or in
/// `published` (a Mutex).
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

    private struct NetworkState {
        var handlers = TransportHandlers()
        var srtp: SrtpSession?
        var counters = TransportStats()
        var state = TransportState.new
        var iceState = IceState.new
        var dtls: DtlsTransport?
        var dtlsStarted = false
        var dtlsFailed = false
        var earlyDtls: [[UInt8]] = []
    }
    private let net: LoopBound<NetworkState>
    /// What other threads may read without waiting for the loop.
    private let published = Mutex<(state: TransportState, profile: SrtpProfile?)>((.new, nil))
    /// Test hook: outgoing DTLS datagrams for which this returns false are dropped (simulated loss).
    /// Set before `start`.
    var dtlsSendFilter: (@Sendable (UnsafeRawBufferPointer) -> Bool)?

    /// Creates the ICE agent (gathering starts with `gather()`); `loop` defaults to a new thread.
    package init(configuration: IceConfiguration, controlling: Bool, certificate: DtlsCertificate? = nil,
                loop: NetworkLoop? = nil, dtlsHandshakeTimeoutMs: UInt64 = DtlsSrtpTransport.defaultDtlsHandshakeTimeoutMs) throws {
        self.dtlsHandshakeTimeoutMs = dtlsHandshakeTimeoutMs
        ownsLoop = loop == nil
        let networkLoop = loop ?? NetworkLoop()
        self.loop = networkLoop
        net = LoopBound(NetworkState(), loop: networkLoop)
        self.certificate = try certificate ?? DtlsCertificate.shared()
        let box = WeakBox<DtlsSrtpTransport>()
        ice = try IceTransport(configuration: configuration, controlling: controlling, loop: self.loop,
                               onEvent: { box.value?.iceEvent($0) },
                               onPacket: { box.value?.received($0) })
        box.value = self
    }

    /// Runs `body` on the loop: inline when already there, else waiting for it.
    private func onLoop<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T { loop.sync(body) }

    /// Replaces the callbacks (set them before `gather()` to see every candidate).
    package func setHandlers(_ new: TransportHandlers) { onLoop { [self] in net.value.handlers = new } }

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

    /// ICE restart on the same DTLS-SRTP session; returns the local candidates to signal again.
    package func restartIce() -> [String] { ice.restart() }

    /// Arms DTLS with the role from a=setup and the peer's a=fingerprint; the handshake runs once ICE connects.
    package func start(role: DtlsRole, remoteFingerprint: String) {
        loop.invoke { [self] in
            guard net.value.dtls == nil, net.value.state != .closed else { return }
            do {
                let box = WeakBox<DtlsSrtpTransport>()
                let ice = self.ice
                net.value.dtls = try DtlsTransport(
                    certificate: certificate, role: role, remoteFingerprint: remoteFingerprint, loop: loop,
                    handshakeTimeoutMs: dtlsHandshakeTimeoutMs,
                    send: { [filter = dtlsSendFilter] in filter?($0) == false ? true : ice.send($0) },
                    onEvent: { box.value?.dtlsEvent($0) })
                box.value = self
            } catch {
                logger.error("\(error)")
                net.value.dtlsFailed = true
                updateState()
                return
            }
            let early = net.value.earlyDtls
            net.value.earlyDtls = []
            for datagram in early { datagram.withUnsafeBytes { net.value.dtls?.receive($0) } }
            startDtlsIfReady()
        }
    }

    /// Protects and sends one RTP packet; false when not connected or the packet is malformed.
    @discardableResult
    package func send(rtp packet: [UInt8]) -> Bool {
        onLoop { [self] in
            guard let protected = protectRtp(packet) else { return false }
            return sendProtected(protected)
        }
    }

    /// Protects and sends one RTCP compound packet.
    @discardableResult
    package func send(rtcp packet: [UInt8]) -> Bool {
        onLoop { [self] in
            guard let protected = packet.withUnsafeBytes({ net.value.srtp?.protectRtcp($0) }) else { return false }
            return sendProtected(protected)
        }
    }

    /// Encrypts an RTP packet without sending it (the RTP layer keeps it for NACK resends). Network thread.
    package func protectRtp(_ packet: [UInt8]) -> [UInt8]? {
        packet.withUnsafeBytes { net.value.srtp?.protectRtp($0) }
    }

    /// Sends an already-protected SRTP/SRTCP packet as is (NACK resends). Network thread.
    @discardableResult
    package func sendProtected(_ packet: [UInt8]) -> Bool {
        guard net.value.state == .connected else { return false }
        guard packet.withUnsafeBytes({ ice.send($0) }) else { return false }
        let rtcp = DatagramKind(classifying: packet) == .rtcp
        net.withValue { n in
            if rtcp {
                n.counters.rtcpPacketsSent += 1
                n.counters.rtcpBytesSent += packet.count
            } else {
                n.counters.rtpPacketsSent += 1
                n.counters.rtpBytesSent += packet.count
            }
        }
        return true
    }

    /// The SRTP profile negotiated in the DTLS handshake, once connected.
    package var srtpProfile: SrtpProfile? { published.withLock { $0.profile } }

    /// Current combined state.
    package var currentState: TransportState { published.withLock { $0.state } }

    /// Snapshot of the counters (waits for the loop).
    package var stats: TransportStats {
        onLoop { [self] in
            var out = net.value.counters
            if let s = net.value.srtp { out.srtp = s.stats }
            return out
        }
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
        net.value.dtls?.close()
        net.value.dtls = nil
        ice.close()
        net.value.srtp = nil
        setState(.closed)
    }

    /// Without `close()` on a shared loop, DTLS (OpenSSL) and SRTP (libsrtp) are freed on that loop's thread:
    /// the closure holds the last reference to the state until it runs there.
    deinit {
        if ownsLoop {
            loop.stop()  // the thread is gone afterwards: freeing here races nothing
        } else {
            let state = net
            loop.release { withExtendedLifetime(state) {} }
        }
    }

    // MARK: network thread

    private func iceEvent(_ event: IceEvent) {
        let h = net.value.handlers
        switch event {
        case .localCandidate(let c): h.onEvent(.localCandidate(c))
        case .gatheringComplete: h.onEvent(.gatheringComplete)
        case let .selectedPair(l, r): h.onEvent(.selectedPair(local: l, remote: r))
        case .state(let s):
            net.value.iceState = s
            startDtlsIfReady()
            updateState()
        }
    }

    private func startDtlsIfReady() {
        guard net.value.iceState == .connected, let dtls = net.value.dtls, !net.value.dtlsStarted else { return }
        net.value.dtlsStarted = true
        dtls.start()
    }

    private func dtlsEvent(_ event: DtlsEvent) {
        switch event {
        case .connected(let keys):
            guard let role = net.value.dtls?.role else { return }
            do {
                net.value.srtp = try SrtpSession(keys: keys, isClient: role == .client)
                published.withLock { $0.profile = keys.profile }
            } catch {
                logger.error("\(error)")
                net.value.dtlsFailed = true
            }
        case .failed:
            net.value.dtlsFailed = true
        case .closed:
            net.value.srtp = nil
            setState(.closed)
            return
        }
        updateState()
    }

    private func received(_ datagram: UnsafeRawBufferPointer) {
        switch DatagramKind(classifying: datagram) {
        case .dtls:
            if let dtls = net.value.dtls { dtls.receive(datagram) }
            else if net.value.earlyDtls.count < DtlsTransport.maxEarlyDatagrams { net.value.earlyDtls.append(Array(datagram)) }
        case .rtp, .rtcp:
            deliverMedia(datagram)
        case .stun:
            break  // libnice consumes STUN before it gets here
        case .unknown:
            net.value.counters.unknownDatagrams += 1
        }
    }

    private func deliverMedia(_ datagram: UnsafeRawBufferPointer) {
        let rtcp = DatagramKind(classifying: datagram) == .rtcp
        // One access per packet; the handler runs after it, since it may send (and so reach `net`) itself.
        let delivery = net.withValue { n -> (handler: @Sendable ([UInt8]) -> Void, plain: [UInt8])? in
            // While disconnected the peer's side of a restart may already send: its keys are still ours.
            guard n.state == .connected || n.state == .disconnected, let session = n.srtp else {
                n.counters.droppedWithoutKeys += 1
                return nil
            }
            guard let plain = rtcp ? session.unprotectRtcp(datagram) : session.unprotectRtp(datagram) else { return nil }
            if rtcp {
                n.counters.rtcpPacketsReceived += 1
                n.counters.rtcpBytesReceived += datagram.count
                return (n.handlers.onRtcp, plain)
            }
            n.counters.rtpPacketsReceived += 1
            n.counters.rtpBytesReceived += datagram.count
            return (n.handlers.onRtp, plain)
        }
        if let delivery { delivery.handler(delivery.plain) }
    }

    private func updateState() {
        let n = net.value
        let next: TransportState
        if n.iceState == .closed { next = .closed }
        else if n.iceState == .failed || n.dtlsFailed { next = .failed }
        else if n.iceState == .connected && n.srtp != nil { next = .connected }
        // Keys stay: once ICE is back (a restart) media flows again without a new handshake.
        else if n.srtp != nil || n.state == .disconnected || (n.iceState == .disconnected && n.dtlsStarted) {
            next = .disconnected
        }
        else if n.iceState == .checking || n.iceState == .connected || n.dtlsStarted { next = .connecting }
        else { next = .new }
        setState(next)
    }

    private func setState(_ next: TransportState) {
        let current = net.value.state
        // failed and closed are final; failed may still become closed.
        guard next != current, current != .closed, !(current == .failed && next != .closed) else { return }
        net.value.state = next
        if next == .failed { net.value.srtp = nil }  // no media is accepted after a failure (e.g. fingerprint mismatch)
        published.withLock { $0.state = next }
        net.value.handlers.onEvent(.state(next))
    }
}

/// A weak reference that callbacks (C ones too) can hold without keeping their target alive, and capture before
/// `self` is fully initialised. `@unchecked Sendable`: its only state is a weak reference, whose loads are atomic.
package final class WeakBox<T: AnyObject>: @unchecked Sendable {
    package weak var value: T?
    package init() {}
}
