import Media
import RTP
import SDP
import Synchronization
import WebRTCTransport

/// Decides whether an outgoing plain RTP packet is discarded instead of sent (tests inject loss with it).
public typealias RtpDropHook = @Sendable (_ plainPacket: [UInt8]) -> Bool

/// The network-thread exit of all media: numbers packets transport-wide when transport-cc is agreed, protects,
/// optionally drops (test hook), sends. `@unchecked Sendable`: the congestion state is loop-bound, the rest
/// immutable or atomic; the transport checks the thread.
final class PacketOutput: @unchecked Sendable {
    let transport: DtlsSrtpTransport
    private let drop: RtpDropHook?
    private let droppedCount = Atomic<Int>(0)
    private let congestion: LoopBound<(extensionId: UInt8, controller: TransportCongestionController)?>
    /// Copies of the estimate and the feedback count for `stats()` on other threads (0: not running).
    private let estimateCopy = Atomic<Int>(0)
    private let feedbackCopy = Atomic<Int>(0)

    init(transport: DtlsSrtpTransport, drop: RtpDropHook?) {
        self.transport = transport
        self.drop = drop
        congestion = LoopBound(nil, loop: transport.loop)
    }

    /// Network thread: from now on every RTP packet carries the transport-wide sequence number `extensionId`
    /// and the peer's feedback about them drives a delay-based estimate starting at `startBitrate`.
    func enableTransportWideCongestionControl(extensionId: UInt8, startBitrate: Int) {
        congestion.value = (extensionId, TransportCongestionController(startBitrate: startBitrate))
        estimateCopy.store(startBitrate, ordering: .relaxed)
    }

    /// Network thread: one transport-cc feedback about our packets; the transport's new delay-based estimate, or
    /// nil when we do not number our packets.
    func onTransportFeedback(_ feedback: TransportFeedback, rttNs: UInt64?, nowNs: UInt64) -> Int? {
        guard let estimate = congestion.withValue({ $0?.controller.onFeedback(feedback, rttNs: rttNs, nowNs: nowNs) })
        else { return nil }
        estimateCopy.store(estimate, ordering: .relaxed)
        feedbackCopy.add(1, ordering: .relaxed)
        return estimate
    }

    /// The delay-based estimate of the whole transport (getStats' availableOutgoingBitrate), and the feedback
    /// packets it came from; any thread.
    var transportEstimate: (bitrate: Int?, feedbackReceived: Int) {
        let e = estimateCopy.load(ordering: .relaxed)
        return (e == 0 ? nil : e, feedbackCopy.load(ordering: .relaxed))
    }

    /// Packets the drop hook discarded.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Protects and sends; returns the protected bytes (kept for NACK resends) or nil when not connected.
    @discardableResult
    func send(_ packet: RtpPacket) -> [UInt8]? {
        congestion.withValue { c -> [UInt8]? in
            var packet = packet
            let seq = c?.controller.nextSequenceNumber()  // in place: the history is a 16k-entry ring
            if let seq, let id = c?.extensionId {
                packet.setExtension(id: id, data: HeaderExtensions.encodeTransportSequenceNumber(seq))
            }
            let plain = packet.serialized()
            guard let protected = transport.protectRtp(plain) else { return nil }
            if let seq { c?.controller.onSent(sequenceNumber: seq, bytes: protected.count, nowNs: MonotonicClock.now()) }
            sendProtected(protected, plain: plain)
            return protected
        }
    }

    /// Sends already-protected bytes (a plain NACK resend), subject to the drop hook.
    func sendProtected(_ protected: [UInt8], plain: [UInt8]?) {
        if let drop, drop(plain ?? protected) {
            droppedCount.add(1, ordering: .relaxed)
            return
        }
        transport.sendProtected(protected)
    }

    /// Sends one RTCP compound (or reduced-size) packet.
    func send(rtcp packets: [RtcpPacket]) {
        guard !packets.isEmpty else { return }
        transport.send(rtcp: RtcpPacket.serializeCompound(packets))
    }
}

extension NegotiatedMedia {
    /// Adds the header extensions every outgoing packet of this m-line carries (mid for BUNDLE demux,
    /// abs-send-time for the peer's REMB estimator), when negotiated.
    func addSendExtensions(to packet: inout RtpPacket, nowNs: UInt64) {
        if let id = midExtensionId { packet.setExtension(id: id, data: HeaderExtensions.encodeMid(mid)) }
        if let id = absSendTimeExtensionId { packet.setExtension(id: id, data: HeaderExtensions.encodeAbsSendTime(ns: nowNs)) }
    }
}
