import CNice
import CShims
import Foundation
import Logging
import SDP
import Synchronization

/// ICE connection state as browsers name it (RTCIceTransportState subset).
/// `disconnected`: the path worked and was lost (consent expired); unlike `failed` an ICE restart
/// (`restart()`) may bring it back.
package enum IceState: String, Sendable {
    case new, checking, connected, disconnected, failed, closed
}

/// What the ICE agent reports, always on the network thread.
package enum IceEvent: Sendable, Equatable {
    /// A local candidate in browser form ("candidate:..."), to be trickled to the peer.
    case localCandidate(String)
    /// Gathering finished: the end-of-candidates indication.
    case gatheringComplete
    case state(IceState)
    /// The nominated pair, "address:port typ" on each side (diagnostics).
    case selectedPair(local: String, remote: String)
}

/// One libnice agent with one bundled component (rtcp-mux), full ICE (RFC 8445 via RFC 5245 mode),
/// trickle, aggressive nomination (see `IceConfiguration.aggressiveNomination`) and consent freshness.
/// Signals and received datagrams arrive on `loop`; the agent's state is `LoopBound` to it. libnice emits
/// signals from inside its own calls (on unlock), so state is read and written in short accesses, never
/// held across a `nice_agent_*` call or an event. `send` reaches the agent through the `sendTarget` Mutex.
package final class IceTransport: Sendable {
    /// libnice's only component when RTP and RTCP share the 5-tuple.
    static let componentID: guint = 1

    package let loop: NetworkLoop
    package let configuration: IceConfiguration
    /// Local ICE username fragment (a=ice-ufrag); changes with `restart()`.
    package var localUfrag: String { credentials.withLock { $0.ufrag } }
    /// Local ICE password (a=ice-pwd); changes with `restart()`.
    package var localPassword: String { credentials.withLock { $0.password } }

    private let logger = Logger(label: "tuicall.ice")
    private let onEvent: @Sendable (IceEvent) -> Void
    private let onPacket: @Sendable (UnsafeRawBufferPointer) -> Void
    private let streamID: guint
    private let net: LoopBound<AgentState>
    private let closed = DispatchSemaphore(value: 0)
    /// `agent` for `send`, which DTLS and the media path call, kept apart from teardown.
    private let sendTarget: Mutex<AgentHandle?>
    private let callbackTarget: WeakBox<IceTransport>
    private let credentials: Mutex<(ufrag: String, password: String)>

    /// Creates the agent; `onEvent` and `onPacket` run on `loop`'s thread.
    package init(configuration: IceConfiguration, controlling: Bool, loop: NetworkLoop,
                onEvent: @escaping @Sendable (IceEvent) -> Void,
                onPacket: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) throws {
        self.loop = loop
        self.configuration = configuration
        self.onEvent = onEvent
        self.onPacket = onPacket
        var options = NICE_AGENT_OPTION_ICE_TRICKLE.rawValue
        if !configuration.aggressiveNomination { options |= NICE_AGENT_OPTION_REGULAR_NOMINATION.rawValue }
        if configuration.consentFreshness { options |= NICE_AGENT_OPTION_CONSENT_FRESHNESS.rawValue }
        guard let agent = nice_agent_new_full(loop.context, NICE_COMPATIBILITY_RFC5245, NiceAgentOption(options)) else {
            throw TransportError.iceAgent("nice_agent_new_full failed")
        }
        // Until `net` holds the agent, a failure here must free it (deinit will not run).
        func fail(_ error: Error) -> Error { g_object_unref(UnsafeMutableRawPointer(agent)); return error }
        shim_nice_agent_configure(agent, controlling ? 1 : 0, 0)  // no ICE-TCP, no UPnP
        shim_nice_agent_set_uint(agent, "stun-initial-timeout", configuration.stunInitialTimeoutMs)
        shim_nice_agent_set_bool(agent, "force-relay", configuration.relayOnly ? 1 : 0)
        for address in configuration.localAddresses {
            var addr = NiceAddress()
            nice_address_init(&addr)
            guard nice_address_set_from_string(&addr, address) != 0 else {
                throw fail(TransportError.iceAgent("local address \"\(address)\" is not a numeric IP address"))
            }
            _ = nice_agent_add_local_address(agent, &addr)
        }
        streamID = nice_agent_add_stream(agent, 1)
        guard streamID != 0 else { throw fail(TransportError.iceAgent("nice_agent_add_stream failed")) }
        _ = nice_agent_set_stream_name(agent, streamID, "audio")  // any RFC 5245 name; bundled media share it
        credentials = Mutex(Self.localCredentials(agent, streamID: streamID))
        do { try Self.configureServers(agent, streamID: streamID, configuration: configuration, logger: logger) } catch {
            throw fail(error)
        }
        // Callbacks find an empty target (and do nothing) until init ends; none can fire before `gather`.
        let target = WeakBox<IceTransport>()
        callbackTarget = target
        let signalIDs = Self.connectSignals(agent, streamID: streamID, context: loop.context, target: target)
        net = LoopBound(AgentState(agent: agent, signalIDs: signalIDs), loop: loop)
        sendTarget = Mutex(AgentHandle(agent: agent))
        target.value = self
    }

    private static func localCredentials(_ agent: OpaquePointer, streamID: guint) -> (ufrag: String, password: String) {
        var ufrag: UnsafeMutablePointer<gchar>?, pwd: UnsafeMutablePointer<gchar>?
        _ = nice_agent_get_local_credentials(agent, streamID, &ufrag, &pwd)
        defer { g_free(ufrag); g_free(pwd) }
        return (ufrag.map { String(cString: $0) } ?? "", pwd.map { String(cString: $0) } ?? "")
    }

    private static func configureServers(_ agent: OpaquePointer, streamID: guint, configuration: IceConfiguration,
                                         logger: Logger) throws {
        var stunSet = false
        for server in configuration.servers {
            for url in server.urls {
                let parsed = try IceServerURL(parsing: url)
                guard let ip = resolveNumericAddress(parsed.host) else { throw TransportError.unresolvableHost(parsed.host) }
                switch parsed.kind {
                case .stun where !stunSet:  // libnice takes one STUN server
                    shim_nice_agent_set_stun(agent, ip, guint(parsed.port))
                    stunSet = true
                case .stun:
                    logger.info("ignoring extra STUN server \(url): libnice uses one")
                case .turn:
                    guard nice_agent_set_relay_info(agent, streamID, componentID, ip, guint(parsed.port),
                                                    server.username ?? "", server.credential ?? "",
                                                    parsed.transport == .tcp ? NICE_RELAY_TYPE_TURN_TCP
                                                                             : NICE_RELAY_TYPE_TURN_UDP) != 0 else {
                        throw TransportError.iceAgent("TURN server \(url) rejected by libnice")
                    }
                }
            }
        }
    }

    /// Connects the signals and the receive callback; returns the signal handler IDs.
    private static func connectSignals(_ agent: OpaquePointer, streamID: guint, context: OpaquePointer,
                                       target: WeakBox<IceTransport>) -> [gulong] {
        let instance = UnsafeMutableRawPointer(agent)
        let onCandidate: @convention(c) (OpaquePointer?, UnsafeMutablePointer<NiceCandidate>?, gpointer?) -> Void = { _, cand, ud in
            guard let cand, let t = IceTransport.target(ud) else { return }
            t.didGather(cand)
        }
        let onGathered: @convention(c) (OpaquePointer?, guint, gpointer?) -> Void = { _, _, ud in
            IceTransport.target(ud)?.onEvent(.gatheringComplete)
        }
        let onState: @convention(c) (OpaquePointer?, guint, guint, guint, gpointer?) -> Void = { _, _, _, state, ud in
            IceTransport.target(ud)?.componentStateChanged(state)
        }
        let onPair: @convention(c) (OpaquePointer?, guint, guint, UnsafeMutablePointer<NiceCandidate>?,
                                    UnsafeMutablePointer<NiceCandidate>?, gpointer?) -> Void = { _, _, _, l, r, ud in
            guard let l, let r, let t = IceTransport.target(ud) else { return }
            t.onEvent(.selectedPair(local: IceTransport.describe(l), remote: IceTransport.describe(r)))
        }
        // Each registration holds its own reference to the target; GLib drops it when the handler goes.
        let release: GClosureNotify = { ud, _ in if let ud { Unmanaged<WeakBox<IceTransport>>.fromOpaque(ud).release() } }
        var ids: [gulong] = []
        func connect(_ signal: String, _ callback: GCallback) {
            let ud = Unmanaged.passRetained(target).toOpaque()
            ids.append(g_signal_connect_data(instance, signal, callback, ud, release, G_CONNECT_DEFAULT))
        }
        connect("new-candidate-full", unsafeBitCast(onCandidate, to: GCallback.self))
        connect("candidate-gathering-done", unsafeBitCast(onGathered, to: GCallback.self))
        connect("component-state-changed", unsafeBitCast(onState, to: GCallback.self))
        connect("new-selected-pair-full", unsafeBitCast(onPair, to: GCallback.self))
        // The receive callback's reference is dropped in `AgentTeardown` after it is detached.
        _ = nice_agent_attach_recv(agent, streamID, componentID, context, { _, _, _, len, buf, ud in
            guard let buf, let t = IceTransport.target(ud) else { return }
            t.onPacket(UnsafeRawBufferPointer(start: buf, count: Int(len)))
        }, Unmanaged.passRetained(target).toOpaque())
        return ids
    }

    /// Starts gathering host (and, with servers, srflx/relay) candidates; each is reported as it appears.
    package func gather() {
        loop.invoke { [self] in
            guard let agent = net.value.agent, !net.value.gatheringStarted else { return }
            net.value.gatheringStarted = true
            if nice_agent_gather_candidates(agent, streamID) == 0 {
                logger.error("gathering failed: no usable local address")
                setState(.failed)
            }
        }
    }

    /// Changes the ICE role (the offerer controls); call before remote credentials are set.
    package func setControlling(_ controlling: Bool) {
        loop.invoke { [self] in
            guard let agent = net.value.agent else { return }
            shim_nice_agent_set_controlling(agent, controlling ? 1 : 0)
        }
    }

    /// Sets the peer's ufrag/pwd from its description; queued candidates are applied then.
    package func setRemoteCredentials(ufrag: String, password: String) {
        loop.invoke { [self] in
            guard let agent = net.value.agent else { return }
            if let current = net.value.remoteCredentials, current == (ufrag, password) { return }
            net.value.remoteCredentials = (ufrag, password)
            guard nice_agent_set_remote_credentials(agent, streamID, ufrag, password) != 0 else {
                logger.error("libnice rejected remote credentials")
                setState(.failed)
                return
            }
            let queued = net.withValue { s in
                s.hasRemoteCredentials = true
                defer { s.pendingCandidates = [] }
                return s.pendingCandidates
            }
            for candidate in queued { apply(candidate) }
            startConnectTimer()
        }
    }

    /// Adds one remote candidate ("candidate:..." or "a=candidate:..."); TCP ones are skipped,
    /// mDNS names are resolved off-thread first. Returns false when the line does not parse.
    @discardableResult
    package func addRemoteCandidate(_ line: String) -> Bool {
        var parsed: IceCandidate
        do { parsed = try IceCandidate(parsing: line) } catch {
            logger.warning("\(error)")
            return false
        }
        if parsed.transport != .udp {
            logger.debug("skipping \(parsed.transport) candidate: only UDP is used")
            return true
        }
        if parsed.component != UInt16(Self.componentID) {
            logger.debug("skipping candidate for component \(parsed.component): rtcp-mux uses component 1")
            return true
        }
        // libnice's parser knows only the RFC 8839 fields; Chromium's extras (generation, ufrag...) go.
        (parsed.generation, parsed.ufrag, parsed.networkId, parsed.networkCost, parsed.extensions) = (nil, nil, nil, nil, [])
        if parsed.isMDNS {
            let candidate = parsed
            DispatchQueue.global().async { [self] in
                guard let ip = resolveNumericAddress(candidate.address) else {
                    logger.info("skipping mDNS candidate \(candidate.address): the name does not resolve here")
                    return
                }
                var copy = candidate
                copy.address = ip
                let resolved = copy
                loop.invoke { [self] in addResolved(resolved) }
            }
            return true
        }
        let candidate = parsed
        loop.invoke { [self] in addResolved(candidate) }
        return true
    }

    /// ICE restart (RFC 8445 §9): new local ufrag/pwd, the peer's credentials and candidates forgotten, checks
    /// start again once the peer's new ones are set. Local candidates (and TURN allocations) are kept; returns
    /// them so they can be signalled again under the new ufrag. Called by the side that restarts and by the side
    /// that sees a restart in the peer's offer. Waits for the loop.
    package func restart() -> [String] {
        loop.sync { [self] in
            guard let agent = net.value.agent else { return [] }
            guard nice_agent_restart_stream(agent, streamID) != 0 else {
                logger.error("libnice refused the ICE restart")
                return []
            }
            credentials.withLock { $0 = Self.localCredentials(agent, streamID: streamID) }
            let kept = net.withValue { s -> [String] in
                s.remoteCredentials = nil
                s.hasRemoteCredentials = false
                s.pendingCandidates = []
                s.connectTimer?.cancel()
                s.connectTimer = nil
                return s.localCandidates
            }
            logger.info("ICE restart: new ufrag \(localUfrag)")
            setState(.checking)
            return kept
        }
    }

    /// The peer signalled end-of-candidates: libnice may now declare failure when all checks fail.
    package func remoteGatheringDone() {
        loop.invoke { [self] in
            guard let agent = net.value.agent, net.value.hasRemoteCredentials else { return }
            _ = nice_agent_peer_candidate_gathering_done(agent, streamID)
        }
    }

    /// Sends one datagram on the selected pair; callable from any thread (libnice locks the agent).
    @discardableResult
    package func send(_ bytes: UnsafeRawBufferPointer) -> Bool {
        sendTarget.withLock { handle in
            guard let agent = handle?.agent, let base = bytes.baseAddress else { return false }
            return nice_agent_send(agent, streamID, Self.componentID, guint(bytes.count),
                                   base.assumingMemoryBound(to: gchar.self)) == Int32(bytes.count)
        }
    }

    /// How long `close` waits for TURN allocations to be released.
    package static let closeTimeoutMs = 1000

    /// Stops the agent; no event or packet is delivered afterwards.
    package func close() {
        let wasOpen = loop.sync { [self] in
            guard let teardown = takeAgent() else { return false }
            teardown.run()
            setState(.closed)
            return true
        }
        if wasOpen && !loop.isCurrent { _ = closed.wait(timeout: .now() + .milliseconds(Self.closeTimeoutMs)) }
    }

    // MARK: network thread

    private func addResolved(_ candidate: IceCandidate) {
        let queued = net.withValue { s -> Bool? in
            guard s.agent != nil else { return nil }
            if s.hasRemoteCredentials { return false }
            s.pendingCandidates.append(candidate)
            return true
        }
        if queued == false { apply(candidate) }
    }

    private func apply(_ candidate: IceCandidate) {
        guard let agent = net.value.agent else { return }
        guard let nice = nice_agent_parse_remote_candidate_sdp(agent, streamID, "a=" + candidate.attributeValue) else {
            logger.warning("libnice could not parse candidate \(candidate.attributeValue)")
            return
        }
        let list = g_slist_append(nil, nice)
        defer { g_slist_free_full(list) { nice_candidate_free($0?.assumingMemoryBound(to: NiceCandidate.self)) } }
        if nice_agent_set_remote_candidates(agent, streamID, Self.componentID, list) < 1 {
            logger.warning("libnice did not add candidate \(candidate.attributeValue)")
        }
    }

    private func didGather(_ cand: UnsafeMutablePointer<NiceCandidate>) {
        guard let agent = net.value.agent else { return }
        if configuration.relayOnly && cand.pointee.type != NICE_CANDIDATE_TYPE_RELAYED { return }
        if cand.pointee.transport != NICE_CANDIDATE_TRANSPORT_UDP { return }
        guard let sdp = nice_agent_generate_local_candidate_sdp(agent, cand) else { return }
        defer { g_free(sdp) }
        var line = String(cString: sdp)
        if line.hasPrefix("a=") { line.removeFirst(2) }
        net.value.localCandidates.append(line)
        onEvent(.localCandidate(line))
    }

    private func componentStateChanged(_ raw: guint) {
        switch NiceComponentState(raw) {
        case NICE_COMPONENT_STATE_CONNECTING:
            if net.value.state == .new || net.value.state == .disconnected { setState(.checking) }
        case NICE_COMPONENT_STATE_CONNECTED, NICE_COMPONENT_STATE_READY:
            net.value.connectTimer?.cancel()
            net.value.everConnected = true
            setState(.connected)
        // After a working path (RFC 7675 consent loss, or a restart's checks failing) only a restart helps;
        // before one, nothing will.
        case NICE_COMPONENT_STATE_FAILED: setState(net.value.everConnected ? .disconnected : .failed)
        default: break
        }
    }

    private func startConnectTimer() {
        guard net.value.connectTimer == nil else { return }
        let timeoutMs = configuration.connectTimeoutMs
        net.value.connectTimer = loop.after(ms: timeoutMs) { [weak self] in
            guard let self, net.value.state == .new || net.value.state == .checking else { return }
            logger.warning("ICE did not connect within \(timeoutMs) ms")
            setState(net.value.everConnected ? .disconnected : .failed)
        }
    }

    /// Reports a state change (outside any access: the handler may call back into the transport).
    private func setState(_ new: IceState) {
        guard let changed = net.value.transition(to: new) else { return }
        onEvent(.state(changed))
    }

    /// Empties the state and returns what frees the agent (nil when already closed).
    private func takeAgent() -> AgentTeardown? {
        sendTarget.withLock { $0 = nil }
        return net.withValue { s in s.takeTeardown(streamID: streamID, context: loop.context, target: callbackTarget,
                                                   closed: closed) }
    }

    /// What libnice's C callbacks hold: a weak way back to the transport, so a callback racing the transport's
    /// deinit finds nil rather than freed memory (weak loads are atomic, any thread may read one).
    fileprivate static func target(_ ud: gpointer?) -> IceTransport? {
        guard let ud else { return nil }
        return Unmanaged<WeakBox<IceTransport>>.fromOpaque(ud).takeUnretainedValue().value
    }

    static func describe(_ c: UnsafeMutablePointer<NiceCandidate>) -> String {
        var buf = [CChar](repeating: 0, count: Int(NICE_ADDRESS_STRING_LEN))
        nice_address_to_string(&c.pointee.addr, &buf)
        let types = ["host", "srflx", "prflx", "relay"]
        let type = Int(c.pointee.type.rawValue) < types.count ? types[Int(c.pointee.type.rawValue)] : "?"
        let address = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return "\(address):\(nice_address_get_port(&c.pointee.addr)) \(type)"
    }

    /// Without `close()`: the agent is released on the network thread (libnice objects belong to it), and a
    /// callback already running there finds the weak target empty instead of a freed transport.
    deinit {
        let (net, streamID, loop, target, closed) = (self.net, streamID, self.loop, callbackTarget, self.closed)
        loop.release {
            net.withValue { $0.takeTeardown(streamID: streamID, context: loop.context, target: target, closed: closed) }?
                .run()
        }
    }
}

/// The agent's network-thread state.
private struct AgentState {
    var agent: OpaquePointer?
    var signalIDs: [gulong]
    var hasRemoteCredentials = false
    var remoteCredentials: (ufrag: String, password: String)?
    var pendingCandidates: [IceCandidate] = []
    var state = IceState.new
    var connectTimer: LoopTimer?
    var gatheringStarted = false
    /// Gathered local candidates in browser form, signalled again after a restart.
    var localCandidates: [String] = []
    var everConnected = false

    init(agent: OpaquePointer, signalIDs: [gulong]) {
        self.agent = agent
        self.signalIDs = signalIDs
    }

    /// The state to report, or nil when it does not change (closed and failed are final; failed may still close).
    mutating func transition(to new: IceState) -> IceState? {
        guard new != state, state != .closed else { return nil }
        if state == .failed && new != .closed { return nil }
        state = new
        return new
    }

    /// Forgets the agent and returns what frees it, once.
    mutating func takeTeardown(streamID: guint, context: OpaquePointer, target: WeakBox<IceTransport>,
                               closed: DispatchSemaphore) -> AgentTeardown? {
        guard let agent else { return nil }
        connectTimer?.cancel()
        connectTimer = nil
        defer { self.agent = nil; signalIDs = [] }
        return AgentTeardown(agent: agent, streamID: streamID, signalIDs: signalIDs, context: context, target: target,
                             closed: closed)
    }
}

/// A NiceAgent* for `send`: libnice locks the agent itself, so any thread may send on it.
private struct AgentHandle: @unchecked Sendable { let agent: OpaquePointer }

/// Detaches and frees one agent; runs on the network thread (or after it has ended).
private struct AgentTeardown {  // made and run on the network thread
    let agent: OpaquePointer
    let streamID: guint
    let signalIDs: [gulong]
    let context: OpaquePointer
    /// The receive callback's reference to it is dropped here.
    let target: WeakBox<IceTransport>
    let closed: DispatchSemaphore

    func run() {
        for id in signalIDs { g_signal_handler_disconnect(UnsafeMutableRawPointer(agent), id) }
        _ = nice_agent_attach_recv(agent, streamID, IceTransport.componentID, context, nil, nil)
        Unmanaged.passUnretained(target).release()
        // Releases TURN allocations (refresh with lifetime 0); the pending task keeps the agent alive until done.
        nice_agent_close_async(agent, { _, _, ud in
            Unmanaged<SemaphoreBox>.fromOpaque(ud!).takeRetainedValue().semaphore.signal()
        }, Unmanaged.passRetained(SemaphoreBox(closed)).toOpaque())
        g_object_unref(UnsafeMutableRawPointer(agent))
    }
}

private final class SemaphoreBox {
    let semaphore: DispatchSemaphore
    init(_ semaphore: DispatchSemaphore) { self.semaphore = semaphore }
}
