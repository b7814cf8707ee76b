/// Full intra request (RFC 5104 §4.3.1, PT 206 FMT 4): keyframe requests with a per-requester sequence number
/// so that repeats of one request can be told from new ones.
package struct FullIntraRequest: Sendable, Equatable {
    static let fmt: UInt8 = 4

    /// One request for one media sender.
    package struct Entry: Sendable, Equatable {
        /// The media sender asked for a keyframe.
        package var ssrc: UInt32
        /// Incremented by the requester for each new request; repeats keep it.
        package var sequenceNumber: UInt8
        package init(ssrc: UInt32, sequenceNumber: UInt8) { self.ssrc = ssrc; self.sequenceNumber = sequenceNumber }
    }

    /// SSRC of the requester.
    package var senderSsrc: UInt32
    /// Unused by FIR and 0 on the wire (RFC 5104), kept for round trips.
    package var mediaSsrc: UInt32
    /// One request per media sender.
    package var entries: [Entry]

    package init(senderSsrc: UInt32, mediaSsrc: UInt32 = 0, entries: [Entry]) {
        self.senderSsrc = senderSsrc; self.mediaSsrc = mediaSsrc; self.entries = entries
    }

    init(body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        senderSsrc = try r.u32("FIR sender SSRC")
        mediaSsrc = try r.u32("FIR media SSRC")
        entries = []
        while r.remaining > 0 {
            let ssrc = try r.u32("FIR entry")
            let seq = try r.u8("FIR entry")
            try r.skip(3, "FIR entry")
            entries.append(Entry(ssrc: ssrc, sequenceNumber: seq))
        }
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        w.u32(senderSsrc); w.u32(mediaSsrc)
        for e in entries { w.u32(e.ssrc); w.u8(e.sequenceNumber); w.u24(0) }
        return w.bytes
    }
}
