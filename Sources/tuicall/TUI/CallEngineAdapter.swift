import SignalingClient
import CallEngine
import Capture
import Foundation
import Logging
import Media
import Signaling
import Synchronization

/// The call engine behind the TUI's `CallControl`: one `Call` fed by the UI's signaling stream, sending the
/// local camera's frames (opened only for the call), showing decoded frames in the video pane.
final class CallEngineAdapter: CallControl, Sendable {
    let events: AsyncStream<CallEvent>
    private let sink: AsyncStream<CallEvent>.Continuation
    private let call: Call
    private let camera: LocalCamera?
    private let statsTask = Mutex<Task<Void, Never>?>(nil)
    /// The peer of the current or last call, to name them when the call ends.
    private let lastPeer = Mutex<String?>(nil)
    private let logger = Logger(label: "tuicall.call")

    init(context: CallContext) {
        (events, sink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(256))
        let sink = self.sink, logger = self.logger
        camera = context.localCamera
        var options = CallOptions(autoAnswer: context.autoAnswer, ice: context.ice,
                                  ringTimeoutSeconds: context.ringTimeoutSeconds)
        if let camera = context.localCamera {
            let feed = CameraFeed(camera: camera)
            options.videoSource = { feed }
        }
        let micSpec = context.micSpec, speakerSpec = context.speakerSpec
        let mic = MutexBox(DeviceStatus.idle)
        options.audioSource = {
            do {
                let source = try CaptureOptions.audioSource(spec: micSpec)
                let status: DeviceStatus = source == nil ? .none : .open(micSpec)
                mic.withLock { $0 = status }
                return source
            } catch {
                logger.warning("microphone unavailable, sending no audio", metadata: ["error": "\(error)"])
                mic.withLock { $0 = .failed("\(error)") }
                sink.yield(.notice("Microphone \(micSpec) cannot be opened (\(error)); the call goes on without "
                                   + "sending audio (--mic test sends a tone, --mic none silences this)."))
                return nil
            }
        }
        options.videoSinks = [context.remoteVideo]
        var speaker: DeviceStatus = .none
        do {
            if let s = try CaptureOptions.audioSink(spec: speakerSpec) {
                options.audioSinks = [s]
                speaker = .open(speakerSpec)
            }
        } catch {
            logger.warning("speaker unavailable, received audio is not played", metadata: ["error": "\(error)"])
            speaker = .failed("\(error)")
            sink.yield(.notice("Speaker \(speakerSpec) cannot be opened (\(error)); received audio will not "
                               + "be played (--speaker FILE.wav records it, --speaker none silences this)."))
        }
        call = Call(signaling: context.signaling, options: options, logger: logger)
        let call = self.call
        let speakerStatus = speaker
        Task { [weak self] in
            for await state in call.events {
                self?.publish(state)
                if case .inCall = state { sink.yield(.devices(mic: mic.withLock { $0 }, speaker: speakerStatus)) }
                if case .ended = state {
                    mic.withLock { $0 = .idle }
                    sink.yield(.devices(mic: .idle, speaker: .idle))
                }
            }
        }
        Task {
            for await notice in call.notices {
                switch notice {
                case .peerMediaState(let audio, let video): sink.yield(.peerMedia(audioMuted: audio, videoOff: video))
                case .missedWhileBusy(let from): sink.yield(.missedWhileBusy(from: from))
                case .serverAwayDuringCall(let peer): sink.yield(.serverDuringCall(peer: peer, back: false))
                case .serverBackDuringCall(let peer): sink.yield(.serverDuringCall(peer: peer, back: true))
                case .mediaPathLost(let peer): sink.yield(.mediaPath(peer: peer, backAfterMs: nil))
                case .mediaPathBack(let peer, let afterMs): sink.yield(.mediaPath(peer: peer, backAfterMs: afterMs))
                }
            }
        }
    }

    private func publish(_ state: CallState) {
        if let peer = state.peer { lastPeer.withLock { $0 = peer } }
        switch state {
        case .idle: break
        case .calling(let peer), .connecting(let peer): sink.yield(.calling(peer: peer))
        case .ringing(let from): sink.yield(.ringing(from: from))
        case .inCall(let peer):
            sink.yield(.inCall(peer: peer))
            startStats()
        case .ended(let reason):
            statsTask.withLock { $0?.cancel(); $0 = nil }
            sink.yield(.ended(reason, peer: lastPeer.withLock { $0 }))
        }
    }

    /// Once a second while in a call: the figures for the status line.
    private func startStats() {
        let call = self.call, sink = self.sink
        let task = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let media = call.stats().media
                let video = media.inbound.first { $0.kind == "video" }
                let received = media.inbound.reduce(0) { $0 + $1.packetsReceived }
                let lost = media.inbound.reduce(0) { $0 + $1.packetsLost }
                let kbps = media.inbound.reduce(0.0) { $0 + $1.bitrate } / 1000
                let loss = received + lost > 0 ? Double(lost) * 100 / Double(received + lost) : 0
                sink.yield(.stats(CallFigures(fps: video?.framesPerSecond ?? 0, kbps: kbps,
                                            rttMs: media.roundTripTimeMs, lossPct: loss)))
            }
        }
        statsTask.withLock { $0?.cancel(); $0 = task }
    }

    func invite(_ user: String) { attempt { try call.call(user) } }
    func accept() { attempt { try call.accept() } }
    func decline() { attempt { try call.decline() } }
    func hangUp() { call.hangUp() }
    func setMicMuted(_ muted: Bool) { call.setMuted(audio: muted) }
    /// Off means off: nothing is sent and the device is closed (its light goes out).
    func setCameraOff(_ off: Bool) {
        call.setMuted(video: off)
        camera?.setEnabled(!off)
    }
    func handle(_ message: SignalMessage) { call.handle(.message(message)) }
    func usersChanged(_ users: [String]) { call.handle(.userList(users)) }
    func signalingChanged(_ state: SignalingState) { call.handle(.state(state)) }

    /// Refusals (unknown user, nothing ringing, ...) reach the status line; while a call is up they are
    /// only logged, so a stray key cannot make the UI forget the call.
    private func attempt(_ body: () throws -> Void) {
        do { try body() } catch {
            switch call.state {
            case .idle, .ended: sink.yield(.refused("\(error)"))
            default: logger.info("call action refused", metadata: ["reason": "\(error)"])
            }
        }
    }
}

/// The local camera as a call's video source: the call gets the frames the preview shows, without opening
/// the device twice, and holds the camera open only while it sends. A re-offer stops and restarts the
/// source at once, so the camera is released only after `releaseDelay` of not being restarted.
final class CameraFeed: VideoSource, Sendable {
    /// How long a stopped feed keeps the camera open in case the call restarts it (re-offers). 1 s.
    static let releaseDelay = 1.0
    let name: String
    private let camera: LocalCamera
    private let target = Mutex<BoundedQueue<VideoFrame>?>(nil)
    private let mailbox = Mutex<LatestFrameMailbox?>(nil)
    private let starts = Atomic<Int>(0)

    init(camera: LocalCamera) {
        self.camera = camera
        name = camera.sourceName
        let box = camera.subscribe { [weak self] in self?.forward() }
        mailbox.withLock { $0 = box }
    }

    private func forward() {
        guard let frame = mailbox.withLock({ $0 })?.take() else { return }
        target.withLock { $0 }?.push(frame)
    }

    func start(into queue: BoundedQueue<VideoFrame>) throws {
        starts.add(1, ordering: .relaxed)
        target.withLock { $0 = queue }
        camera.acquire(.call)
    }

    func stop() {
        target.withLock { $0 = nil }
        let at = starts.load(ordering: .relaxed)
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.releaseDelay) { [self] in
            if starts.load(ordering: .relaxed) == at, target.withLock({ $0 == nil }) { camera.release(.call) }
        }
    }

    var failure: CaptureError? { nil }
}
