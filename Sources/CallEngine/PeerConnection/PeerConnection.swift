import Foundation
import Synchronization
import Logging
import SDP
import Signaling
import WebRTCTransport

/// RTCSignalingState (named apart from the chat-server connection's SignalingState).
package enum PeerSignalingState: String, Sendable {
    case stable, haveLocalOffer = "have-local-offer", haveRemoteOffer = "have-remote-offer", closed
}

/// What a `PeerConnection` reports, on its network thread.
package enum PeerConnectionEvent: Sendable, Equatable {
    /// A local candidate to send to the peer (tagged with the first bundled m-line).
    case iceCandidate(IceCandidateInit)
    /// Local gathering finished (browsers signal this as a null candidate; the chat protocol sends nothing).
    case iceGatheringComplete
    case connectionState(TransportState)
}

/// Errors of offer/answer handling, named like the DOMExceptions browsers throw.
package enum PeerConnectionError: Error, Equatable, CustomStringConvertible {
    case invalidState(String)
    case invalidDescription(String)
    case unsupported(String)

    package var description: String {
        switch self {
        case .invalidState(let s): "invalid signaling state: \(s)"
        case .invalidDescription(let s): "unusable session description: \(s)"
        case .unsupported(let s): "not supported: \(s)"
        }
    }
}

/// What we send and the transport settings of one call.
package struct PeerConnectionConfiguration: Sendable {
    package var ice: IceConfiguration
    /// RTCP CNAME of our tracks.
    package var cname: String
    package var audio: LocalTrack?
    package var video: LocalTrack?
    package var receiveAudio: Bool
    package var receiveVideo: Bool

    package init(ice: IceConfiguration = IceConfiguration(), cname: String = UUID().uuidString,
                audio: LocalTrack? = nil, video: LocalTrack? = nil, receiveAudio: Bool = true, receiveVideo: Bool = true) {
        self.ice = ice
        self.cname = cname
        self.audio = audio
        self.video = video
        self.receiveAudio = receiveAudio
        self.receiveVideo = receiveVideo
    }
}

/// A browser-shaped peer connection: JSEP offer/answer over one BUNDLE DTLS-SRTP transport with trickle ICE.
///
/// Methods may be called from any thread (typically the signaling queue); they are serialised by `lock`.
/// `@unchecked Sendable`: every mutable property is read and written inside `lock` (the network thread's
/// callbacks too).
/// Media goes through `transport` (send(rtp:), handlers for inbound RTP/RTCP).
package final class PeerConnection: @unchecked Sendable {
    /// The one transport of the call; renegotiation keeps it.
    package let transport: DtlsSrtpTransport
    private let logger = Logger(label: "tuicall.peerconnection")
    private let lock = Mutex(())
    private var configuration: PeerConnectionConfiguration
    private let sessionId = LocalCapabilities.randomSessionId()
    private var handler: @Sendable (PeerConnectionEvent) -> Void = { _ in }
    private var mediaHandlers = TransportHandlers()
    private var signaling = PeerSignalingState.stable
    private var pendingLocalOffer: SessionDescription?
    private var remoteOffer: SessionDescription?
    private var pendingAnswer: (SessionDescription, NegotiatedSession)?
    private var negotiatedSession: NegotiatedSession?
    private var localDescriptionValue: SessionDescription?
    private var remoteDescriptionValue: SessionDescription?
    private var iceRoleDecided = false
    private var dtlsStarted = false
    private var remoteUfrag: String?
    /// `restartIce()` was called: the next offer restarts ICE.
    private var restartRequested = false
    /// Our pending offer restarted ICE, so its answer brings new remote credentials.
    private var offerRestartsIce = false
    /// Local candidates to signal again under the new ufrag once the restart's description is set.
    private var candidatesToReannounce: [String] = []
    /// Candidates tagged with a ufrag we have not seen yet (the peer's restart description is still on its
    /// way); applied when it comes, dropped with the next description otherwise. At most `maxEarlyCandidates`.
    private var earlyCandidates: [IceCandidateInit] = []
    static let maxEarlyCandidates = 32
    /// The local description before our pending offer (what a rollback returns to).
    private var stableLocalDescription: SessionDescription?
    /// ICE restarts done (ours and the peer's).
    package var iceRestarts: Int { lock.withLock { _ in restartCount } }
    private var restartCount = 0

    /// Creates the transport (no gathering until a local description is set).
    package init(configuration: PeerConnectionConfiguration, certificate: DtlsCertificate? = nil) throws {
        self.configuration = configuration
        transport = try DtlsSrtpTransport(configuration: configuration.ice, controlling: true, certificate: certificate)
        let box = WeakBox<PeerConnection>()
        transport.setHandlers(TransportHandlers(onEvent: { box.value?.transportEvent($0) },
                                                onRtp: { box.value?.currentMediaHandlers.onRtp($0) },
                                                onRtcp: { box.value?.currentMediaHandlers.onRtcp($0) }))
        box.value = self
    }

    /// Sets the event callback (runs on the network thread).
    package func setEventHandler(_ handler: @escaping @Sendable (PeerConnectionEvent) -> Void) {
        lock.withLock { _ in self.handler = handler }
    }

    /// Sets the inbound RTP/RTCP callbacks (their onEvent is ignored: use `setEventHandler`).
    package func setMediaHandlers(_ handlers: TransportHandlers) { lock.withLock { _ in mediaHandlers = handlers } }

    private var currentMediaHandlers: TransportHandlers { lock.withLock { _ in mediaHandlers } }

    /// Changes what we send/receive; takes effect with the next offer or answer.
    package func setLocalTracks(audio: LocalTrack?, video: LocalTrack?, receiveAudio: Bool = true, receiveVideo: Bool = true) {
        lock.withLock { _ in
            configuration.audio = audio
            configuration.video = video
            configuration.receiveAudio = receiveAudio
            configuration.receiveVideo = receiveVideo
        }
    }

    package var signalingState: PeerSignalingState { lock.withLock { _ in signaling } }
    package var connectionState: TransportState { transport.currentState }
    /// The result of the last completed offer/answer (what the RTP layer configures itself from).
    package var negotiated: NegotiatedSession? { lock.withLock { _ in negotiatedSession } }
    package var localDescription: SessionDescription? { lock.withLock { _ in localDescriptionValue } }
    package var remoteDescription: SessionDescription? { lock.withLock { _ in remoteDescriptionValue } }

    /// Makes the next offer an ICE restart (RTCPeerConnection.restartIce): new ufrag/pwd, same DTLS-SRTP.
    package func restartIce() { lock.withLock { _ in restartRequested = true } }

    /// Writes an offer (first call: audio mid 0 + video mid 1; later: same sections plus new kinds).
    package func createOffer() throws -> SessionDescriptionInit {
        // The restart waits for the network loop, whose events take `lock`: never under it.
        let restart = lock.withLock { _ in
            defer { restartRequested = false }
            return restartRequested && signaling == .stable
        }
        if restart {
            restartTransport()
            lock.withLock { _ in offerRestartsIce = true }
        }
        return try lock.withLock { _ in
            guard signaling == .stable || signaling == .haveLocalOffer else {
                throw PeerConnectionError.invalidState("createOffer in \(signaling.rawValue)")
            }
            let offer = Negotiation.offer(local: try capabilities(), previous: negotiatedSession)
            pendingLocalOffer = offer
            return SessionDescriptionInit(type: .offer, sdp: offer.serialized())
        }
    }

    /// Answers the applied remote offer.
    package func createAnswer() throws -> SessionDescriptionInit {
        try lock.withLock { _ in
            guard signaling == .haveRemoteOffer, let offer = remoteOffer else {
                throw PeerConnectionError.invalidState("createAnswer in \(signaling.rawValue)")
            }
            do {
                let result = try Negotiation.answer(to: offer, local: try capabilities(), previous: negotiatedSession)
                pendingAnswer = result
                return SessionDescriptionInit(type: .answer, sdp: result.0.serialized())
            } catch let error as NegotiationError {
                throw PeerConnectionError.invalidDescription("\(error)")
            }
        }
    }

    /// Applies our offer or answer (as returned by createOffer/createAnswer); gathering starts with the first.
    /// Candidate events may fire before this returns: send the description first (e.g. handle both on one serial
    /// queue), since peers such as aiortc drop candidates that arrive before the description.
    package func setLocalDescription(_ description: SessionDescriptionInit) throws {
        try lock.withLock { _ in
            switch description.type {
            case .offer:
                guard signaling == .stable || signaling == .haveLocalOffer, let offer = pendingLocalOffer,
                      offer.serialized() == description.sdp else {
                    throw PeerConnectionError.invalidState("setLocalDescription(offer) needs the offer from createOffer")
                }
                if !iceRoleDecided { iceRoleDecided = true; transport.setControlling(true) }
                if signaling == .stable { stableLocalDescription = localDescriptionValue }
                localDescriptionValue = offer
                signaling = .haveLocalOffer
            case .answer:
                guard signaling == .haveRemoteOffer, let (answer, session) = pendingAnswer,
                      answer.serialized() == description.sdp else {
                    throw PeerConnectionError.invalidState("setLocalDescription(answer) needs the answer from createAnswer")
                }
                localDescriptionValue = answer
                pendingAnswer = nil
                remoteOffer = nil
                try complete(session)
            case .rollback:
                guard signaling == .haveLocalOffer else {
                    throw PeerConnectionError.invalidState("rollback in \(signaling.rawValue)")
                }
                // Our restarted ICE credentials stay; the peer's offer, applied next, brings its own.
                localDescriptionValue = stableLocalDescription
                pendingLocalOffer = nil
                offerRestartsIce = false
                signaling = .stable
            case .pranswer:
                throw PeerConnectionError.invalidDescription("\(description.type.rawValue) descriptions are not supported")
            }
        }
        transport.gather()
        reannounceCandidates()
    }

    /// Restarts ICE on the transport (waits for the network loop: never under `lock`) and keeps its local
    /// candidates for `reannounceCandidates`.
    private func restartTransport() {
        let kept = transport.restartIce()
        lock.withLock { _ in
            candidatesToReannounce = kept
            restartCount += 1
        }
    }

    /// After a restart's description is set, the kept local candidates go out again under the new ufrag
    /// (the peer forgot the old generation's).
    private func reannounceCandidates() {
        let again = lock.withLock { _ in
            defer { candidatesToReannounce = [] }
            return localDescriptionValue == nil ? [] : candidatesToReannounce
        }
        for candidate in again { transportEvent(.localCandidate(candidate)) }
    }

    /// Applies the peer's offer or answer: remote ICE credentials, SDP candidates, DTLS role and fingerprint.
    package func setRemoteDescription(_ description: SessionDescriptionInit) throws {
        let parsed: SessionDescription
        do { parsed = try SessionDescription.parse(description.sdp) } catch {
            throw PeerConnectionError.invalidDescription("\(error)")
        }
        // An offer with a new ufrag is the peer's ICE restart: ours restarts too (RFC 8445 §9), before the
        // offer's credentials and candidates are applied, and outside `lock` (it waits for the loop).
        if description.type == .offer {
            let ufrag = Self.tagSectionIce(of: parsed)?.ufrag
            let restart = lock.withLock { _ in
                signaling == .stable && remoteUfrag != nil && ufrag != nil && ufrag != remoteUfrag
            }
            if restart { restartTransport() }
        }
        try lock.withLock { _ in
            switch description.type {
            case .offer:
                guard signaling == .stable else {
                    throw PeerConnectionError.invalidState("remote offer in \(signaling.rawValue) (glare is not handled)")
                }
                let ice = try remoteIce(of: parsed)
                if !iceRoleDecided { iceRoleDecided = true; transport.setControlling(false) }  // the offerer controls
                remoteOffer = parsed
                remoteDescriptionValue = parsed
                signaling = .haveRemoteOffer
                apply(ice)
            case .answer:
                guard signaling == .haveLocalOffer, let offer = localDescriptionValue else {
                    throw PeerConnectionError.invalidState("remote answer in \(signaling.rawValue)")
                }
                let session: NegotiatedSession
                do { session = try Negotiation.apply(answer: parsed, to: offer, previous: negotiatedSession) } catch {
                    throw PeerConnectionError.invalidDescription("\(error)")
                }
                let ice = try remoteIce(of: parsed)
                if let current = remoteUfrag, current != ice.ufrag, !offerRestartsIce {
                    throw PeerConnectionError.invalidDescription("the answer changed ICE credentials without an ICE restart")
                }
                remoteDescriptionValue = parsed
                pendingLocalOffer = nil
                offerRestartsIce = false
                apply(ice)
                try complete(session)
            case .pranswer, .rollback:
                throw PeerConnectionError.invalidDescription("\(description.type.rawValue) descriptions are not supported")
            }
        }
    }

    /// Adds a trickled remote candidate; an empty candidate string means end-of-candidates.
    /// Candidates of another ICE generation (other usernameFragment) wait for a description with that ufrag.
    package func addIceCandidate(_ candidate: IceCandidateInit) throws {
        let early = lock.withLock { _ -> Bool in
            guard let ufrag = candidate.usernameFragment, let current = remoteUfrag, ufrag != current else { return false }
            if earlyCandidates.count < Self.maxEarlyCandidates { earlyCandidates.append(candidate) }
            return true
        }
        if early {
            logger.debug("holding a candidate for ufrag \(candidate.usernameFragment ?? "")")
            return
        }
        if candidate.candidate.isEmpty {
            transport.remoteGatheringDone()
            return
        }
        do { _ = try IceCandidate(parsing: candidate.candidate) } catch {
            throw PeerConnectionError.invalidDescription("\(error)")
        }
        transport.addRemoteCandidate(candidate.candidate)
    }

    /// Closes the transport (DTLS close_notify, ICE stop); the state becomes closed.
    package func close() {
        lock.withLock { _ in signaling = .closed }
        transport.close()
    }

    // MARK: private (called with `lock` held unless noted)

    private func capabilities() throws -> LocalCapabilities {
        guard let fingerprint = DtlsFingerprint(attributeValue: transport.localFingerprint) else {
            throw PeerConnectionError.unsupported("local certificate fingerprint \(transport.localFingerprint)")
        }
        return LocalCapabilities(iceUfrag: transport.localUfrag, icePwd: transport.localPassword, fingerprint: fingerprint,
                                 sessionId: sessionId, cname: configuration.cname, audio: configuration.audio,
                                 video: configuration.video, receiveAudio: configuration.receiveAudio,
                                 receiveVideo: configuration.receiveVideo)
    }

    /// ICE credentials and SDP candidates of a remote description, checked before any state changes.
    private struct RemoteIce {
        var ufrag: String
        var password: String
        var candidates: [IceCandidate]
        var endOfCandidates: Bool
    }

    /// The BUNDLE-tag section's (or the first section's) index and ICE credentials.
    private static func tagSectionIce(of description: SessionDescription) -> (index: Int, ufrag: String, pwd: String)? {
        let tagMid = description.bundleGroup?.mids.first
        let index = description.media.firstIndex { $0.mid == tagMid && tagMid != nil } ?? 0
        guard let ufrag = description.iceUfrag(forMediaAt: index), let pwd = description.icePwd(forMediaAt: index) else {
            return nil
        }
        return (index, ufrag, pwd)
    }

    /// Reads the BUNDLE-tag section (or the first section); throws for missing credentials.
    private func remoteIce(of description: SessionDescription) throws -> RemoteIce {
        guard let (index, ufrag, pwd) = Self.tagSectionIce(of: description) else {
            throw PeerConnectionError.invalidDescription("no a=ice-ufrag/a=ice-pwd")
        }
        let section = description.media.indices.contains(index) ? description.media[index] : nil
        return RemoteIce(ufrag: ufrag, password: pwd, candidates: section?.candidates ?? [],
                         endOfCandidates: section?.endOfCandidates ?? false)
    }

    private func apply(_ ice: RemoteIce) {
        remoteUfrag = ice.ufrag
        transport.setRemoteIceParameters(ufrag: ice.ufrag, password: ice.password)
        for candidate in ice.candidates { transport.addRemoteCandidate(candidate.attributeValue) }
        let held = earlyCandidates.filter { $0.usernameFragment == ice.ufrag }
        earlyCandidates = []
        for candidate in held where !candidate.candidate.isEmpty { transport.addRemoteCandidate(candidate.candidate) }
        if ice.endOfCandidates || held.contains(where: { $0.candidate.isEmpty }) { transport.remoteGatheringDone() }
    }

    private func complete(_ session: NegotiatedSession) throws {
        negotiatedSession = session
        signaling = .stable
        guard !dtlsStarted else { return }
        let role = session.transport.localRole
        guard let fingerprint = session.transport.remoteFingerprint else {
            throw PeerConnectionError.invalidDescription("no usable a=fingerprint")
        }
        dtlsStarted = true
        transport.start(role: role, remoteFingerprint: fingerprint.attributeValue)
    }

    /// Network thread.
    private func transportEvent(_ event: TransportEvent) {
        let (h, local) = lock.withLock { _ in (handler, localDescriptionValue) }
        switch event {
        case .localCandidate(let c):
            let tagMid = local?.bundleGroup?.mids.first ?? local?.media.first?.mid
            let index = local?.media.firstIndex { $0.mid == tagMid } ?? 0
            h(.iceCandidate(IceCandidateInit(candidate: c, sdpMid: tagMid, sdpMLineIndex: index,
                                             usernameFragment: transport.localUfrag)))
        case .gatheringComplete: h(.iceGatheringComplete)
        case .state(let s): h(.connectionState(s))
        case .selectedPair(let l, let r): logger.debug("ICE selected \(l) <-> \(r)")
        }
    }
}
