/// Sender side of generic NACK: a cache of recently sent packets and the answers to NACKs.
/// Without RTX the stored already-SRTP-protected bytes are resent as they are (protecting the same
/// sequence number again would trip libsrtp's replay check); with RTX a new RTX packet is built for the
/// caller to protect. Rate limited: a packet is resent at most once per half RTT (a NACK sooner than that
/// crossed the last retransmission, still in flight), and within a byte budget.
package struct NackResponder: Sendable {
    /// Shortest time a sent packet is kept.
    package static let defaultMinRetentionNs: UInt64 = 1_000_000_000
    /// Packets are kept for at least this many RTTs.
    package static let retentionRttMultiple: UInt64 = 3
    /// Most packets kept regardless of age (about 4 s of 2 Mbit/s video).
    package static let defaultMaxPackets = 1000
    /// Retransmission budget in bits per second by default.
    package static let defaultMaxRetransmitBitrate = 1_500_000

    /// RTX parameters from SDP (`a=rtpmap:97 rtx/90000`, `a=fmtp:97 apt=96`, `a=ssrc-group:FID`).
    package struct RtxParameters: Sendable, Equatable {
        /// RTX payload type (its fmtp apt= names the media one).
        package var payloadType: UInt8
        /// RTX SSRC (second SSRC of the FID group).
        package var ssrc: UInt32
        /// First RTX sequence number (random in the lower half, like media streams).
        package var initialSequenceNumber: UInt16
        package init(payloadType: UInt8, ssrc: UInt32, initialSequenceNumber: UInt16 = .random(in: 0...0x7FFF)) {
            self.payloadType = payloadType; self.ssrc = ssrc; self.initialSequenceNumber = initialSequenceNumber
        }
    }

    /// One answer to a NACK.
    package enum Retransmission: Sendable, Equatable {
        /// Send these stored (already protected) bytes again unchanged.
        case protectedBytes([UInt8])
        /// SRTP-protect this RTX packet and send it.
        case rtx(RtpPacket)
    }

    private struct Entry: Sendable {
        var packet: RtpPacket?
        var protectedBytes: [UInt8]
        var sentNs: UInt64
        var lastResentNs: UInt64?
    }

    /// Current RTT: sets retention and the per-packet resend interval.
    package var rttNs: UInt64 = NackGenerator.defaultRttNs
    /// RTX parameters when negotiated; nil resends stored protected bytes.
    package let rtx: RtxParameters?
    /// Shortest retention of sent packets.
    package let minRetentionNs: UInt64
    /// Most packets kept.
    package let maxPackets: Int
    /// Retransmission budget in bit/s.
    package let maxRetransmitBitrate: Int
    /// Sequence number the next RTX packet gets.
    package private(set) var nextRtxSequenceNumber: UInt16
    /// Requested packets no longer (or never) in the cache.
    package private(set) var misses = 0
    /// Requests refused by the rate limit.
    package private(set) var rateLimited = 0

    private var unwrapper = SequenceUnwrapper()
    private var entries: [Int64: Entry] = [:]
    private var order: [Int64] = []
    private var orderHead = 0
    private var budgetBytes: Double
    private var budgetUpdatedNs: UInt64?

    package init(rtx: RtxParameters? = nil, minRetentionNs: UInt64 = defaultMinRetentionNs,
                maxPackets: Int = defaultMaxPackets, maxRetransmitBitrate: Int = defaultMaxRetransmitBitrate) {
        self.rtx = rtx; self.minRetentionNs = minRetentionNs; self.maxPackets = max(1, maxPackets)
        self.maxRetransmitBitrate = maxRetransmitBitrate
        nextRtxSequenceNumber = rtx?.initialSequenceNumber ?? 0
        budgetBytes = Double(maxRetransmitBitrate) / 8
    }

    /// How long packets are kept now: max(1 s, 3 × RTT).
    package var retentionNs: UInt64 { max(minRetentionNs, Self.retentionRttMultiple * rttNs) }

    /// Packets currently held.
    package var count: Int { entries.count }

    /// Remembers a sent packet: its plain form (needed for RTX) and the protected bytes that went out.
    package mutating func onSent(_ packet: RtpPacket, protectedBytes: [UInt8], nowNs: UInt64) {
        let seq = unwrapper.unwrap(packet.sequenceNumber)
        entries[seq] = Entry(packet: rtx == nil ? nil : packet, protectedBytes: protectedBytes, sentNs: nowNs)
        order.append(seq)
        expire(nowNs: nowNs)
    }

    /// The retransmissions answering `nack`, in the order asked; missing or rate-limited ones are skipped.
    package mutating func respond(to nack: GenericNack, nowNs: UInt64) -> [Retransmission] {
        respond(to: nack.sequenceNumbers, nowNs: nowNs)
    }

    /// The retransmissions answering a list of requested sequence numbers.
    package mutating func respond(to sequenceNumbers: [UInt16], nowNs: UInt64) -> [Retransmission] {
        expire(nowNs: nowNs)
        refill(nowNs: nowNs)
        var out: [Retransmission] = []
        for sn in sequenceNumbers {
            let seq = unwrapper.peek(sn)
            guard var e = entries[seq] else { misses += 1; continue }
            if let last = e.lastResentNs, nowNs < last + rttNs / 2 { rateLimited += 1; continue }
            let size = Double(e.protectedBytes.count)
            guard budgetBytes >= size else { rateLimited += 1; continue }
            budgetBytes -= size
            e.lastResentNs = nowNs
            entries[seq] = e
            if let rtx, let packet = e.packet {
                out.append(.rtx(Rtx.encapsulate(packet, rtxPayloadType: rtx.payloadType, rtxSsrc: rtx.ssrc,
                                                rtxSequenceNumber: nextRtxSequenceNumber)))
                nextRtxSequenceNumber &+= 1
            } else {
                out.append(.protectedBytes(e.protectedBytes))
            }
        }
        return out
    }

    private mutating func refill(nowNs: UInt64) {
        let cap = Double(maxRetransmitBitrate) / 8
        if let last = budgetUpdatedNs, nowNs > last {
            budgetBytes = min(cap, budgetBytes + cap * Double(nowNs - last) / 1e9)
        }
        budgetUpdatedNs = nowNs
    }

    private mutating func expire(nowNs: UInt64) {
        let keep = retentionNs
        while orderHead < order.count {
            let seq = order[orderHead]
            guard let e = entries[seq] else { orderHead += 1; continue }
            let tooMany = entries.count > maxPackets
            guard tooMany || nowNs >= e.sentNs + keep else { break }
            entries.removeValue(forKey: seq)
            orderHead += 1
        }
        if orderHead > 4096 {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }
}
