import RTP
import SDP
import Synchronization
import WebRTCTransport

/// Decides whether an outgoing plain RTP packet is discarded instead of sent (tests inject loss with it).
public typealias RtpDropHook = @Sendable (_ plainPacket: [UInt8]) -> Bool

/// The network-thread exit of all media: protects, optionally drops (test hook), sends.
/// `@unchecked Sendable`: immutable apart from an atomic counter; the transport checks the thread.
final class PacketOutput: @unchecked Sendable {
    let transport: DtlsSrtpTransport
    private let drop: RtpDropHook?
    private let droppedCount = Atomic<Int>(0)

    init(transport: DtlsSrtpTransport, drop: RtpDropHook?) {
        self.transport = transport
        self.drop = drop
    }

    /// Packets the drop hook discarded.
    var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Protects and sends; returns the protected bytes (kept for NACK resends) or nil when not connected.
    @discardableResult
    func send(_ packet: RtpPacket) -> [UInt8]? {
        let plain = packet.serialized()
        guard let protected = transport.protectRtp(plain) else { return nil }
        sendProtected(protected, plain: plain)
        return protected
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
