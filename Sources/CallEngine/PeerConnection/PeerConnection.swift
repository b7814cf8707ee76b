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

    /// Writes an offer (first call: audio mid 0 + video mid 1; later: same sections plus new kinds).
    package func createOffer() throws -> SessionDescriptionInit {
        try lock.withLock { _ in
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
            case .pranswer, .rollback:
                throw PeerConnectionError.invalidDescription("\(description.type.rawValue) descriptions are not supported")
            }
        }
        transport.gather()
    }

    /// Applies the peer's offer or answer: remote ICE credentials, SDP candidates, DTLS role and fingerprint.
    package func setRemoteDescription(_ description: SessionDescriptionInit) throws {
        let parsed: SessionDescription
        do { parsed = try SessionDescription.parse(description.sdp) } catch {
            throw PeerConnectionError.invalidDescription("\(error)")
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
                remoteDescriptionValue = parsed
                pendingLocalOffer = nil
                apply(ice)
                try complete(session)
            case .pranswer, .rollback:
                throw PeerConnectionError.invalidDescription("\(description.type.rawValue) descriptions are not supported")
            }
        }
    }

    /// Adds a trickled remote candidate; an empty candidate string means end-of-candidates.
    /// Candidates of an older ICE generation (other usernameFragment) are ignored.
    package func addIceCandidate(_ candidate: IceCandidateInit) throws {
        let current = lock.withLock { _ in remoteUfrag }
        if let ufrag = candidate.usernameFragment, let current, ufrag != current {
            logger.debug("ignoring candidate for ufrag \(ufrag) (current \(current))")
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

    /// Reads the BUNDLE-tag section (or the first section); throws for missing credentials or an ICE restart.
    private func remoteIce(of description: SessionDescription) throws -> RemoteIce {
        let tagMid = description.bundleGroup?.mids.first
        let index = description.media.firstIndex { $0.mid == tagMid && tagMid != nil } ?? 0
        guard let ufrag = description.iceUfrag(forMediaAt: index), let pwd = description.icePwd(forMediaAt: index) else {
            throw PeerConnectionError.invalidDescription("no a=ice-ufrag/a=ice-pwd")
        }
        if let current = remoteUfrag, current != ufrag {
            throw PeerConnectionError.unsupported("ICE restart (the peer changed its ufrag)")
        }
        let section = description.media.indices.contains(index) ? description.media[index] : nil
        return RemoteIce(ufrag: ufrag, password: pwd, candidates: section?.candidates ?? [],
                         endOfCandidates: section?.endOfCandidates ?? false)
    }

    private func apply(_ ice: RemoteIce) {
        remoteUfrag = ice.ufrag
        transport.setRemoteIceParameters(ufrag: ice.ufrag, password: ice.password)
        for candidate in ice.candidates { transport.addRemoteCandidate(candidate.attributeValue) }
        if ice.endOfCandidates { transport.remoteGatheringDone() }
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
