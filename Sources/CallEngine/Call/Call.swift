import Foundation
import Logging
import Media
import SDP
import Signaling
import SignalingClient
import Synchronization
import WebRTCTransport

/// What a `Call` sends, where received media goes, and how it answers.
public struct CallOptions: Sendable {
    /// How long offer/answer-done to connected may take before the call fails.
    public static let defaultConnectTimeoutSeconds = 30.0
    /// How long a call rings (caller and callee) before it ends unanswered. 45 s.
    public static let defaultRingTimeoutSeconds = 45.0
    /// How long a lost media path may stay lost while ICE restarts try to bring it back: 30 s, like
    /// browsers' `failed` after consent expiry (RFC 7675).
    public static let defaultIceRestartTimeoutSeconds = 30.0

    /// Answer incoming offers at once (no ringing decision).
    public var autoAnswer: Bool
    /// Makes our camera for each media session; nil sends no video (recvonly).
    public var videoSource: (@Sendable () throws -> (any VideoSource)?)?
    /// Makes our microphone for each media session; nil sends no audio.
    public var audioSource: (@Sendable () throws -> (any AudioSource)?)?
    /// Receive decoded remote video / played-out audio (never closed by the call).
    public var videoSinks: [any VideoSink]
    public var audioSinks: [any AudioSink]
    public var ice: IceConfiguration
    public var media: MediaSessionOptions
    public var connectTimeoutSeconds: Double
    public var ringTimeoutSeconds: Double
    public var iceRestartTimeoutSeconds: Double

    public init(autoAnswer: Bool = false,
                videoSource: (@Sendable () throws -> (any VideoSource)?)? = nil,
                audioSource: (@Sendable () throws -> (any AudioSource)?)? = nil,
                videoSinks: [any VideoSink] = [], audioSinks: [any AudioSink] = [],
                ice: IceConfiguration = IceConfiguration(), media: MediaSessionOptions = MediaSessionOptions(),
                connectTimeoutSeconds: Double = defaultConnectTimeoutSeconds,
                ringTimeoutSeconds: Double = defaultRingTimeoutSeconds,
                iceRestartTimeoutSeconds: Double = defaultIceRestartTimeoutSeconds) {
        self.autoAnswer = autoAnswer
        self.videoSource = videoSource
        self.audioSource = audioSource
        self.videoSinks = videoSinks
        self.audioSinks = audioSinks
        self.ice = ice
        self.media = media
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.ringTimeoutSeconds = ringTimeoutSeconds
        self.iceRestartTimeoutSeconds = iceRestartTimeoutSeconds
    }
}

/// One user's calls over the MDN chat-server protocol: invite -> offer -> answer -> trickled candidates ->
/// media -> hang-up, one call at a time. Feed it every event of the `SignalingClient` (`handle` or `pump`).
///
/// Everything runs on one serial queue, so descriptions always go out before the candidates they produce, and
/// an answer and a following re-offer from the peer are applied strictly in order. `@unchecked Sendable`: the
/// mutable state is touched only on `queue`; `published` is a Mutex.
public final class Call: @unchecked Sendable {
    /// Every state change, in order (single consumer).
    public let events: AsyncStream<CallState>
    private let eventSink: AsyncStream<CallState>.Continuation
    /// What the peer's media is doing, missed calls (single consumer).
    public let notices: AsyncStream<CallNotice>
    private let noticeSink: AsyncStream<CallNotice>.Continuation
    private let signaling: SignalingClient
    private let options: CallOptions
    private let logger: Logger
    private let queue = DispatchQueue(label: "tuicall.call")
    private let published = Mutex<CallState>(.idle)

    // Owned by `queue`.
    private var current: CallState = .idle
    private var pc: PeerConnection?
    private var media: MediaSession?
    private var monitor = RemoteVideoMonitor()
    private var pendingOffer: SessionDescriptionInit?
    private var pendingCandidates: [IceCandidateInit] = []
    private var connected = false
    /// Bumped per call so late events of a closed connection are ignored.
    private var generation = 0
    private var inviteNs: UInt64?
    private var lastStats = CallStats()
    private var audioMuted = false, videoMuted = false
    /// The server went away during this call and we have not logged in again yet.
    private var serverAwayDuringCall = false
    /// The server forgot this call (it or the peer lost the connection): send `call-resume` once both are on.
    private var resumeNeeded = false
    /// A watch on the media of a peer who left the user list is running.
    private var watchingPeerOffList = false
    /// We placed this call: in a glare of ICE-restart offers ours wins (the callee is the polite peer).
    private var weOffered = false
    /// When the media path was lost (nil while it works), and which loss this is (for its timers).
    private var pathLostNs: UInt64?
    private var pathEpisode = 0
    /// When the transport last restarted (our offer or the peer's): the old path's consent may still expire
    /// just after (a peer waking from SIGSTOP answers a restart as its timers fire), no reason to restart again.
    private var lastRestartNs: UInt64?
    /// How long after a restart a lost path waits before offering another one (checks finish well within). 2 s.
    static let restartSettleNs: UInt64 = 2_000_000_000

    public init(signaling: SignalingClient, options: CallOptions = CallOptions(), logger: Logger) {
        self.signaling = signaling
        self.options = options
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream()
        (notices, noticeSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(64))
    }

    /// The current state (any thread).
    public var state: CallState { published.withLock { $0 } }

    /// Calls `peer`: refuses calling yourself, calling while in a call, or a name not on the server.
    public func call(_ peer: String) throws {
        try queue.sync {
            guard signaling.isLoggedIn else { throw CallError.notLoggedIn }
            let me = signaling.username
            guard peer != me else { throw CallError.callingYourself }
            if let p = current.peer { throw CallError.alreadyInCall(p) }
            let users = signaling.users
            guard users.isEmpty || users.contains(peer) else { throw CallError.unknownUser(peer) }
            do {
                let pc = try beginCall(peer)
                weOffered = true
                let offer = try pc.createOffer()
                try pc.setLocalDescription(offer)
                // Candidate events queue behind this block, so the offer goes out first.
                send(.videoOffer(SessionDescriptionMessage(name: me, target: peer, sdp: offer)))
                setState(.calling(peer))
                startRingTimer()
            } catch {
                setState(.calling(peer))
                end(.failed("could not create an offer: \(error)"))
                throw error
            }
        }
    }

    /// Answers the ringing call (sendrecv on the offered m-lines).
    public func accept() throws {
        try queue.sync {
            guard case .ringing(let from) = current, let offer = pendingOffer else { throw CallError.noIncomingCall }
            acceptLocked(from: from, offer: offer)
        }
    }

    /// Declines the ringing call: the caller gets a hang-up.
    public func decline() throws {
        try queue.sync {
            guard case .ringing(let from) = current else { throw CallError.noIncomingCall }
            send(.hangUp(name: signaling.username, target: from))
            end(.youDeclined)
        }
    }

    /// Ends the call in progress (or declines a ringing one), telling the peer; does nothing when idle.
    public func hangUp() {
        queue.sync {
            guard let peer = current.peer else { return }
            send(.hangUp(name: signaling.username, target: peer))
            if case .ringing = current { end(.youDeclined) } else { end(.localHangUp) }
        }
    }

    /// Mutes our microphone (silence is sent) and/or camera (nothing is sent); kept across calls and re-offers.
    public func setMuted(audio: Bool? = nil, video: Bool? = nil) {
        queue.sync {
            if let audio { audioMuted = audio }
            if let video { videoMuted = video }
            media?.setMuted(audio: audio, video: video)
            if media != nil { sendMediaState() }
        }
    }

    /// A snapshot of the current or last call's statistics.
    public func stats() -> CallStats {
        queue.sync { snapshot() }
    }

    /// Hangs up and finishes `events`.
    public func close() {
        hangUp()
        eventSink.finish()
        noticeSink.finish()
    }

    /// Feeds one signaling event (call messages, user list, connection state).
    public func handle(_ event: SignalingEvent) {
        queue.async { [self] in handleLocked(event) }
    }

    /// Feeds every event of `stream` until it ends; `forward` sees each one too (e.g. for chat).
    public func pump(_ stream: AsyncStream<SignalingEvent>, forward: (@Sendable (SignalingEvent) -> Void)? = nil) async {
        for await event in stream {
            handle(event)
            forward?(event)
        }
    }

    // MARK: queue

    private func handleLocked(_ event: SignalingEvent) {
        switch event {
        case .message(.videoOffer(let m)): onOffer(m)
        case .message(.videoAnswer(let m)): onAnswer(m)
        case .message(.newIceCandidate(let m)): onCandidate(m)
        case .message(.hangUp(let name, _, let reason)): onHangUp(name: name, reason: reason)
        case .message(.other(let o)) where o["type"]?.stringValue == "media-state": onMediaState(o)
        case .userList(let users):
            if let p = current.peer, !users.contains(p) { onPeerLeftList(p) }
            resumeIfBothOnline()
        case .state(.disconnected):
            // A call with media needs the server no more (its own path carries media, DTLS close_notify the
            // hang-up, consent freshness the failure); one still being set up does.
            if case .inCall(let peer) = current {
                resumeNeeded = true
                if !serverAwayDuringCall {
                    serverAwayDuringCall = true
                    logger.info("lost the server during the call with \(peer): the call goes on")
                    noticeSink.yield(.serverAwayDuringCall(peer: peer))
                }
            } else if current.peer != nil {
                end(.serverLost)
            }
        case .state(.stopped):
            if current.peer != nil { end(.serverLost) }
        case .state(.loggedIn):
            if let peer = current.peer, pathLostNs != nil { offerIceRestart(to: peer) }
            guard serverAwayDuringCall else { return }
            serverAwayDuringCall = false
            if case .inCall(let peer) = current { noticeSink.yield(.serverBackDuringCall(peer: peer)) }
            resumeIfBothOnline()
        default: break
        }
    }

    private func onOffer(_ m: SessionDescriptionMessage) {
        guard let from = m.name, from != signaling.username else { return }
        switch current {
        case .calling(from) where pc?.signalingState == .haveLocalOffer:
            resolveGlare(m.sdp, from: from)
        case .calling(from), .connecting(from), .inCall(from):
            renegotiate(m.sdp, from: from)
        case .ringing(from):
            pendingOffer = m.sdp
        case .calling, .connecting, .inCall, .ringing:
            logger.info("busy: refusing a call from \(from)")
            send(.hangUp(name: signaling.username, target: from, reason: "busy"))
            noticeSink.yield(.missedWhileBusy(from: from))
        case .idle, .ended:
            resetCall()
            pendingOffer = m.sdp
            lastStats.peer = from
            setState(.ringing(from))
            startRingTimer()
            if options.autoAnswer { acceptLocked(from: from, offer: m.sdp) }
        }
    }

    private func acceptLocked(from: String, offer: SessionDescriptionInit) {
        do {
            let pc = try beginCall(from)
            weOffered = false
            try pc.setRemoteDescription(offer)
            let answer = try pc.createAnswer()
            try pc.setLocalDescription(answer)
            send(.videoAnswer(SessionDescriptionMessage(name: signaling.username, target: from, sdp: answer)))
            for c in pendingCandidates { try? pc.addIceCandidate(c) }
            pendingCandidates = []
            pendingOffer = nil
            enterConnecting(from)
        } catch {
            send(.hangUp(name: signaling.username, target: from))
            end(.failed("could not answer \(from)'s offer: \(error)"))
        }
    }

    private func onAnswer(_ m: SessionDescriptionMessage) {
        guard let peer = current.peer, m.name == nil || m.name == peer, let pc else { return }
        guard case .calling = current else {
            if pc.signalingState == .haveLocalOffer { onReofferAnswer(m.sdp, from: peer) }
            return
        }
        do {
            try pc.setRemoteDescription(m.sdp)
            enterConnecting(peer)
        } catch {
            send(.hangUp(name: signaling.username, target: peer))
            end(.failed("\(peer)'s answer could not be applied: \(error)"))
        }
    }

    /// Both called each other at once. As in the web client, the smaller name gives way: it drops its own
    /// offer and answers the other's (its user was calling that peer anyway); the larger name keeps its offer
    /// and waits for that answer. Neither side hangs up, so the call goes through.
    private func resolveGlare(_ offer: SessionDescriptionInit, from peer: String) {
        guard signaling.username < peer else {
            logger.info("both called at once: \(peer) answers our call")
            return
        }
        logger.info("both called at once: answering \(peer)'s call instead of ours")
        stopMedia()
        pc?.close()
        pc = nil
        generation += 1
        pendingCandidates = []
        acceptLocked(from: peer, offer: offer)
    }

    /// A new offer from our peer (the browser sample's 4-m-line re-offer): answer it on the same transport
    /// (the answer keeps our DTLS role) and restart media on the new m-lines.
    /// Media restarts only when the offer changed it; an ICE restart alone keeps the streams going.
    /// Both sides restarting ICE at once (glare): the callee gives way (rolls its offer back and answers),
    /// the caller ignores the callee's offer and waits for its answer.
    private func renegotiate(_ offer: SessionDescriptionInit, from peer: String) {
        guard let pc else { return }
        if pc.signalingState == .haveLocalOffer {
            guard !weOffered, Self.rollBack(pc) else {
                logger.info("both re-offered at once: \(peer) answers ours")
                return
            }
            logger.info("both re-offered at once: answering \(peer)'s offer instead of ours")
        }
        let mediaBefore = pc.negotiated?.media
        do {
            try pc.setRemoteDescription(offer)
            let answer = try pc.createAnswer()
            try pc.setLocalDescription(answer)
            send(.videoAnswer(SessionDescriptionMessage(name: signaling.username, target: peer, sdp: answer)))
            noteRestarts(pc)
            if case .calling = current { enterConnecting(peer) }
            restartMediaIfChanged(since: mediaBefore)
        } catch {
            send(.hangUp(name: signaling.username, target: peer))
            end(.failed("\(peer)'s re-offer could not be applied: \(error)"))
        }
    }

    private func onCandidate(_ m: IceCandidateMessage) {
        guard let peer = current.peer, m.name == nil || m.name == peer, let c = m.candidate else { return }
        if let pc { try? pc.addIceCandidate(c) } else { pendingCandidates.append(c) }
    }

    /// The browser sample broadcasts hang-up with a null target: only our peer's (or an anonymous one) counts.
    private func onHangUp(name: String?, reason: String?) {
        guard let peer = current.peer, name == nil || name == peer else { return }
        switch current {
        case .calling:
            switch reason {
            case "busy": end(.busy)
            case "no-answer": end(.noAnswer)
            default: end(.declined)
            }
        case .ringing: end(.missed)
        default: end(.remoteHangUp)
        }
    }

    /// Both sides ring for `ringTimeoutSeconds` at most; then the call ends unanswered, and the other
    /// side hears why ("no-answer").
    private func startRingTimer() {
        // `end` bumps the generation: a timer from an earlier ring does nothing.
        let gen = generation
        queue.asyncAfter(deadline: .now() + options.ringTimeoutSeconds) { [weak self] in
            guard let self, gen == self.generation else { return }
            switch self.current {
            case .calling(let peer):
                self.send(.hangUp(name: self.signaling.username, target: peer, reason: "no-answer"))
                self.end(.noAnswer)
            case .ringing(let from):
                self.send(.hangUp(name: self.signaling.username, target: from, reason: "no-answer"))
                self.end(.missed)
            default: break
            }
        }
    }

    /// Tells the peer whether our microphone is muted and our camera off, so it can say so instead of
    /// showing silence or a frozen picture (a `media-state` message; the MDN page ignores it).
    private func sendMediaState() {
        guard let peer = current.peer else { return }
        let m: JSONObject = ["type": "media-state", "name": .string(signaling.username), "target": .string(peer),
                             "audio": .string(audioMuted ? "muted" : "on"), "video": .string(videoMuted ? "off" : "on")]
        send(.other(m))
    }

    private func onMediaState(_ o: JSONObject) {
        guard let peer = current.peer, o["name"]?.stringValue == peer else { return }
        noticeSink.yield(.peerMediaState(audioMuted: o["audio"]?.stringValue == "muted",
                                         videoOff: o["video"]?.stringValue == "off"))
    }

    /// The peer is off the user list. Before media flows that ends the call. During a call the media path is
    /// the better witness (the list may be stale, or the peer's server connection alone may have dropped): the
    /// call ends once no media arrives for `peerLeftMediaGraceSeconds`, checked again each grace period while
    /// the peer stays off the list (its last packets may still be arriving when the list changes).
    private func onPeerLeftList(_ peer: String) {
        guard case .inCall(peer) = current, media != nil else {
            end(.peerLeft)
            return
        }
        resumeNeeded = true
        guard !watchingPeerOffList else { return }
        watchingPeerOffList = true
        watchPeerOffList(peer, generation: generation, logged: false)
    }

    private func watchPeerOffList(_ peer: String, generation gen: Int, logged: Bool) {
        guard let media else { return }
        let before = Self.packetsReceived(media)
        queue.asyncAfter(deadline: .now() + Self.peerLeftMediaGraceSeconds) { [weak self] in
            guard let self, gen == self.generation, case .inCall(peer) = self.current, let media = self.media else { return }
            if self.signaling.users.contains(peer) {
                self.watchingPeerOffList = false
            } else if Self.packetsReceived(media) == before {
                self.end(.peerLeft)
            } else {
                if !logged { self.logger.info("\(peer) is off the user list but its media still arrives: the call goes on") }
                self.watchPeerOffList(peer, generation: gen, logged: true)
            }
        }
    }

    /// How long media must be silent after the peer leaves the user list before the call ends. 1.5 s.
    public static let peerLeftMediaGraceSeconds = 1.5

    private static func packetsReceived(_ media: MediaSession) -> Int {
        media.stats().inbound.reduce(0) { $0 + $1.packetsReceived }
    }

    private func onPeerEvent(_ event: PeerConnectionEvent, generation gen: Int) {
        guard gen == generation, let peer = current.peer else { return }
        switch event {
        case .iceCandidate(let c):
            send(.newIceCandidate(IceCandidateMessage(name: signaling.username, target: peer, candidate: c)))
        case .iceGatheringComplete: break
        case .connectionState(.connected):
            connected = true
            lastStats.connected = true
            if pathLostNs != nil { pathBack(peer) }
            startMediaIfReady()
        case .connectionState(.disconnected):
            pathLost(peer)
        case .connectionState(.failed):
            // The peer may not have noticed yet, and the server clears the busy marks on a hang-up.
            send(.hangUp(name: signaling.username, target: peer))
            end(.connectionFailed("ICE/DTLS with \(peer) failed"))
        // DTLS close_notify: the peer closed its connection, i.e. hung up (often before its hang-up message arrives).
        case .connectionState(.closed): end(.remoteHangUp)
        case .connectionState: break
        }
    }

    // MARK: ICE restart

    /// The path is gone (consent expired, or a restart's checks failed): restart ICE now, and give the call
    /// `iceRestartTimeoutSeconds` from the first loss before it ends.
    private func pathLost(_ peer: String) {
        guard case .inCall = current else { return }
        if pathLostNs == nil {
            pathLostNs = MonotonicClock.now()
            pathEpisode += 1
            lastStats.pathLosses += 1
            logger.info("media path to \(peer) lost: restarting ICE")
            noticeSink.yield(.mediaPathLost(peer: peer))
            let timeout = options.iceRestartTimeoutSeconds
            whileLost(after: .now() + timeout) { call in
                call.send(.hangUp(name: call.signaling.username, target: peer))
                call.end(.connectionFailed("no media path to \(peer) for \(Int(timeout)) s (ICE restarts did not reconnect)"))
            }
        }
        let sinceRestart = lastRestartNs.map { MonotonicClock.now() &- $0 } ?? .max
        guard sinceRestart < Self.restartSettleNs else { return offerIceRestart(to: peer) }
        whileLost(after: .now() + .nanoseconds(Int(Self.restartSettleNs - sinceRestart))) { $0.offerIceRestart(to: peer) }
    }

    /// Runs `body` at `deadline` if the same call's same path loss is still going on.
    private func whileLost(after deadline: DispatchTime, _ body: @escaping @Sendable (Call) -> Void) {
        let (gen, episode) = (generation, pathEpisode)
        queue.asyncAfter(deadline: deadline) { [weak self] in
            guard let self, gen == self.generation, episode == self.pathEpisode, self.pathLostNs != nil else { return }
            body(self)
        }
    }

    private func noteRestarts(_ pc: PeerConnection) {
        if pc.iceRestarts != lastStats.iceRestarts { lastRestartNs = MonotonicClock.now() }
        lastStats.iceRestarts = pc.iceRestarts
    }

    /// One restart offer at a time: a frozen peer answers it when it wakes (offers sent meanwhile would be
    /// answered in a row, and an answer cannot say which offer it answers). It is offered again only when
    /// it was lost: we logged in again (the server may have restarted), or a restart's checks failed.
    private func offerIceRestart(to peer: String) {
        guard let pc, pathLostNs != nil else { return }
        if pc.signalingState == .haveLocalOffer { _ = Self.rollBack(pc) }
        guard pc.signalingState == .stable else { return }
        do {
            pc.restartIce()
            let offer = try pc.createOffer()
            try pc.setLocalDescription(offer)
            noteRestarts(pc)
            send(.videoOffer(SessionDescriptionMessage(name: signaling.username, target: peer, sdp: offer)))
        } catch {
            logger.warning("ICE restart offer failed: \(error)")
        }
    }

    private func onReofferAnswer(_ answer: SessionDescriptionInit, from peer: String) {
        guard let pc else { return }
        let mediaBefore = pc.negotiated?.media
        do {
            try pc.setRemoteDescription(answer)
        } catch {
            send(.hangUp(name: signaling.username, target: peer))
            end(.failed("\(peer)'s answer to our re-offer could not be applied: \(error)"))
            return
        }
        restartMediaIfChanged(since: mediaBefore)
    }

    /// Takes back our pending offer; false when the connection refuses.
    private static func rollBack(_ pc: PeerConnection) -> Bool {
        (try? pc.setLocalDescription(SessionDescriptionInit(type: .rollback, sdp: ""))) != nil
    }

    /// After an offer/answer: media restarts only when the m-lines changed (an ICE restart alone keeps the
    /// streams going), then starts if it is not running.
    private func restartMediaIfChanged(since before: [NegotiatedMedia]?) {
        if pc?.negotiated?.media != before { stopMedia() }
        startMediaIfReady()
    }

    /// Connected again: both sides start from a keyframe (the decoder's references are long gone).
    private func pathBack(_ peer: String) {
        guard let lost = pathLostNs else { return }
        pathLostNs = nil
        let afterMs = Int((MonotonicClock.now() - lost) / 1_000_000)
        logger.info("media path to \(peer) back after \(afterMs) ms")
        noticeSink.yield(.mediaPathBack(peer: peer, afterMs: afterMs))
        media?.requestKeyframe()
        media?.sendPictureLossIndication()
    }

    private func resetCall() {
        monitor = RemoteVideoMonitor()
        lastStats = CallStats()
        pendingOffer = nil
        pendingCandidates = []
        connected = false
        inviteNs = nil
        serverAwayDuringCall = false
        resumeNeeded = false
        watchingPeerOffList = false
        weOffered = false
        pathLostNs = nil
        lastRestartNs = nil
    }

    /// A restarted server (or one the peer left and came back to) knows nothing of the call: each side
    /// claims it once both are logged in, and `tuicall serve` marks both busy again when the two claims
    /// match. Other servers route the message; the peer ignores it.
    private func resumeIfBothOnline() {
        guard resumeNeeded, signaling.isLoggedIn, case .inCall(let peer) = current,
              signaling.users.contains(peer) else { return }
        resumeNeeded = false
        logger.info("claiming the call with \(peer) on the server again")
        send(.other(["type": .string(SignalMessage.callResumeType), "target": .string(peer)]))
    }

    /// A fresh peer connection for a call with `peer`; invite time starts now.
    private func beginCall(_ peer: String) throws -> PeerConnection {
        if pc == nil, current.peer == nil { resetCall() }
        generation += 1
        let gen = generation
        let me = signaling.username
        let cname = options.media.cname
        let audio = options.audioSource == nil ? nil
            : LocalTrack(ssrc: .random(in: 1...UInt32.max), streamId: "tuicall-\(me)", trackId: "\(me)-audio")
        let video = options.videoSource == nil ? nil
            : LocalTrack(ssrc: .random(in: 1...UInt32.max), rtxSsrc: .random(in: 1...UInt32.max),
                         streamId: "tuicall-\(me)", trackId: "\(me)-video")
        let pc = try PeerConnection(configuration: PeerConnectionConfiguration(ice: options.ice, cname: cname,
                                                                               audio: audio, video: video))
        pc.setEventHandler { [weak self] event in
            guard let call = self else { return }
            call.queue.async { call.onPeerEvent(event, generation: gen) }
        }
        self.pc = pc
        inviteNs = MonotonicClock.now()
        lastStats.peer = peer
        return pc
    }

    private func enterConnecting(_ peer: String) {
        setState(.connecting(peer))
        let gen = generation
        queue.asyncAfter(deadline: .now() + options.connectTimeoutSeconds) { [weak self] in
            guard let self, gen == self.generation, case .connecting = self.current else { return }
            self.send(.hangUp(name: self.signaling.username, target: peer))
            self.end(.connectionFailed("no connection to \(peer) within \(Int(self.options.connectTimeoutSeconds)) s"))
        }
        startMediaIfReady()
    }

    private func startMediaIfReady() {
        guard connected, media == nil, let pc, pc.signalingState == .stable, pc.negotiated != nil,
              let peer = current.peer else { return }
        let session = MediaSession(peerConnection: pc, options: options.media)
        session.addVideoSink(monitor)
        for s in options.videoSinks { session.addVideoSink(s) }
        for s in options.audioSinks { session.addAudioSink(s) }
        do {
            try session.start(video: try options.videoSource?(), audio: try options.audioSource?())
        } catch {
            session.stop()
            send(.hangUp(name: signaling.username, target: peer))
            end(.failed("media could not start: \(error)"))
            return
        }
        session.setMuted(audio: audioMuted, video: videoMuted)
        media = session
        if audioMuted || videoMuted { sendMediaState() }
        if current != .inCall(peer) { setState(.inCall(peer)) }
    }

    private func stopMedia() {
        guard let media else { return }
        lastStats.setMedia(media.stats())
        media.stop()
        self.media = nil
    }

    /// Tears the call down; the state becomes `.ended(reason)`.
    private func end(_ reason: CallEndReason) {
        guard current.peer != nil else { return }
        logger.info("call with \(current.peer ?? "?") ended: \(reason)")
        stopMedia()
        pc?.close()
        pc = nil
        generation += 1
        pendingOffer = nil
        pendingCandidates = []
        connected = false
        pathLostNs = nil
        lastStats.endReason = reason.description
        setState(.ended(reason))
    }

    private func snapshot() -> CallStats {
        var s = lastStats
        if let media { s.setMedia(media.stats()) }
        monitor.fill(&s, inviteNs: inviteNs)
        return s
    }

    private func send(_ message: SignalMessage) {
        if !signaling.send(message) { logger.warning("could not send \(message.type): not connected to the server") }
    }

    private func setState(_ s: CallState) {
        current = s
        published.withLock { $0 = s }
        eventSink.yield(s)
    }
}
