/// One RTCP packet (RFC 3550 §6, RFC 4585, RFC 5104, draft-alvestrand-rmcat-remb) of the kinds tuicall uses;
/// anything else (transport-cc, XR, APP) is kept as `.unknown` so a compound packet still parses.
package enum RtcpPacket: Sendable, Equatable {
    case senderReport(SenderReport)
    case receiverReport(ReceiverReport)
    case sourceDescription(SourceDescription)
    case goodbye(Goodbye)
    case nack(GenericNack)
    case pli(PictureLossIndication)
    case fir(FullIntraRequest)
    case remb(Remb)
    case transportFeedback(TransportFeedback)
    case unknown(RtcpUnknownPacket)

    /// Bytes of the common header.
    package static let headerSize = 4

    /// Packet type numbers.
    package enum PacketType {
        /// SR.
        package static let senderReport: UInt8 = 200
        /// RR.
        package static let receiverReport: UInt8 = 201
        /// SDES.
        package static let sourceDescription: UInt8 = 202
        /// BYE.
        package static let goodbye: UInt8 = 203
        /// APP (kept as unknown).
        package static let app: UInt8 = 204
        /// Transport-layer feedback (RFC 4585): generic NACK is FMT 1, transport-cc FMT 15.
        package static let transportFeedback: UInt8 = 205
        /// Payload-specific feedback (RFC 4585): PLI FMT 1, FIR FMT 4, REMB FMT 15.
        package static let payloadFeedback: UInt8 = 206
    }

    /// Parses a compound RTCP packet, or a single reduced-size one (RFC 5506): no ordering rules enforced.
    package static func parseCompound(_ bytes: [UInt8]) throws(RtpParseError) -> [RtcpPacket] {
        guard !bytes.isEmpty else { throw .truncated(what: "RTCP packet", need: headerSize, have: 0) }
        var out: [RtcpPacket] = []
        var offset = 0
        while offset < bytes.count {
            var r = RtpByteReader(bytes, from: offset)
            let b0 = try r.u8("RTCP header")
            guard b0 >> 6 == 2 else { throw .badVersion(Int(b0 >> 6)) }
            let pt = try r.u8("RTCP header")
            let total = (Int(try r.u16("RTCP length")) + 1) * 4
            guard total <= bytes.count - offset else {
                throw .truncated(what: "RTCP packet type \(pt)", need: total, have: bytes.count - offset)
            }
            var end = offset + total
            if b0 & 0x20 != 0 {
                let pad = Int(bytes[end - 1])
                guard pad > 0, pad <= total - headerSize else {
                    throw .malformed("RTCP padding count \(pad) does not fit a \(total)-byte packet")
                }
                end -= pad
            }
            let body = Array(bytes[(offset + headerSize)..<end])
            out.append(try parseOne(packetType: pt, count: b0 & 0x1F, body: body))
            offset += total
        }
        return out
    }

    private static func parseOne(packetType pt: UInt8, count: UInt8, body: [UInt8]) throws(RtpParseError) -> RtcpPacket {
        switch (pt, count) {
        case (PacketType.senderReport, _): return .senderReport(try SenderReport(count: count, body: body))
        case (PacketType.receiverReport, _): return .receiverReport(try ReceiverReport(count: count, body: body))
        case (PacketType.sourceDescription, _):
            return .sourceDescription(try SourceDescription(count: count, body: body))
        case (PacketType.goodbye, _): return .goodbye(try Goodbye(count: count, body: body))
        case (PacketType.transportFeedback, GenericNack.fmt): return .nack(try GenericNack(body: body))
        case (PacketType.transportFeedback, TransportFeedback.fmt): return .transportFeedback(try TransportFeedback(body: body))
        case (PacketType.payloadFeedback, PictureLossIndication.fmt):
            return .pli(try PictureLossIndication(body: body))
        case (PacketType.payloadFeedback, FullIntraRequest.fmt): return .fir(try FullIntraRequest(body: body))
        case (PacketType.payloadFeedback, Remb.fmt) where Remb.matches(body):
            return .remb(try Remb(body: body))
        default:
            return .unknown(RtcpUnknownPacket(packetType: pt, count: count, body: body))
        }
    }

    /// Concatenates packets into one compound packet (SR/RR first is the caller's job when it matters).
    package static func serializeCompound(_ packets: [RtcpPacket]) -> [UInt8] {
        packets.reduce(into: [UInt8]()) { $0.append(contentsOf: $1.serialized()) }
    }

    /// This packet with its common header, padded to 32 bits.
    package func serialized() -> [UInt8] {
        let (pt, count, body): (UInt8, UInt8, [UInt8])
        switch self {
        case let .senderReport(p): (pt, count, body) = (PacketType.senderReport, UInt8(min(p.reports.count, 31)), p.body())
        case let .receiverReport(p): (pt, count, body) = (PacketType.receiverReport, UInt8(min(p.reports.count, 31)), p.body())
        case let .sourceDescription(p):
            (pt, count, body) = (PacketType.sourceDescription, UInt8(min(p.chunks.count, 31)), p.body())
        case let .goodbye(p): (pt, count, body) = (PacketType.goodbye, UInt8(min(p.ssrcs.count, 31)), p.body())
        case let .nack(p): (pt, count, body) = (PacketType.transportFeedback, GenericNack.fmt, p.body())
        case let .pli(p): (pt, count, body) = (PacketType.payloadFeedback, PictureLossIndication.fmt, p.body())
        case let .fir(p): (pt, count, body) = (PacketType.payloadFeedback, FullIntraRequest.fmt, p.body())
        case let .remb(p): (pt, count, body) = (PacketType.payloadFeedback, Remb.fmt, p.body())
        case let .transportFeedback(p): (pt, count, body) = (PacketType.transportFeedback, TransportFeedback.fmt, p.body())
        case let .unknown(p): (pt, count, body) = (p.packetType, p.count & 0x1F, p.body)
        }
        var w = RtpByteWriter()
        w.u8(2 << 6 | count)
        w.u8(pt)
        let padded = (body.count + 3) / 4 * 4
        w.u16(UInt16(clamping: padded / 4))
        w.append(body)
        w.padTo32()
        return w.bytes
    }
}

/// An RTCP packet of a type this layer does not interpret, kept verbatim.
package struct RtcpUnknownPacket: Sendable, Equatable {
    /// The PT field (200...207).
    package var packetType: UInt8
    /// The 5-bit count / FMT field.
    package var count: UInt8
    /// Everything after the 4-byte common header, without padding.
    package var body: [UInt8]

    package init(packetType: UInt8, count: UInt8, body: [UInt8]) {
        self.packetType = packetType; self.count = count; self.body = body
    }
}

extension RtcpPacket {
    /// The report blocks an SR or RR carries (none for other packets).
    package var reportBlocks: [ReportBlock] {
        switch self {
        case .senderReport(let sr): sr.reports
        case .receiverReport(let rr): rr.reports
        default: []
        }
    }
}
