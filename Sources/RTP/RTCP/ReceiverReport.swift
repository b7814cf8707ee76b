/// RTCP receiver report (RFC 3550 §6.4.2, PT 201): reception reports from a participant that is not sending.
package struct ReceiverReport: Sendable, Equatable {
    /// SSRC of the reporter.
    package var ssrc: UInt32
    /// One block per source received (at most 31).
    package var reports: [ReportBlock]
    /// Profile-specific extension bytes after the blocks, kept verbatim.
    package var profileExtension: [UInt8]

    package init(ssrc: UInt32, reports: [ReportBlock] = [], profileExtension: [UInt8] = []) {
        self.ssrc = ssrc; self.reports = reports; self.profileExtension = profileExtension
    }

    init(count: UInt8, body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        ssrc = try r.u32("RR sender SSRC")
        reports = []
        for _ in 0..<count { reports.append(try ReportBlock.parse(&r)) }
        profileExtension = try r.take(r.remaining, "RR extension")
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        w.u32(ssrc)
        for b in reports.prefix(31) { b.write(&w) }
        w.append(profileExtension)
        return w.bytes
    }
}
