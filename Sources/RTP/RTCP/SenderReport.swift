/// RTCP sender report (RFC 3550 §6.4.1, PT 200): what we sent, when, plus reception reports.
package struct SenderReport: Sendable, Equatable {
    /// SSRC of the sender.
    package var ssrc: UInt32
    /// Wall-clock time of this report.
    package var ntpTime: NtpTimestamp
    /// The same instant on the stream's RTP clock.
    package var rtpTimestamp: UInt32
    /// Packets sent since the stream began.
    package var packetCount: UInt32
    /// Payload bytes sent.
    package var octetCount: UInt32
    /// Reception reports about streams the sender receives.
    package var reports: [ReportBlock]
    /// Profile-specific extension bytes after the blocks, kept verbatim.
    package var profileExtension: [UInt8]

    package init(ssrc: UInt32, ntpTime: NtpTimestamp, rtpTimestamp: UInt32, packetCount: UInt32,
                octetCount: UInt32, reports: [ReportBlock] = [], profileExtension: [UInt8] = []) {
        self.ssrc = ssrc; self.ntpTime = ntpTime; self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount; self.octetCount = octetCount; self.reports = reports
        self.profileExtension = profileExtension
    }

    init(count: UInt8, body: [UInt8]) throws(RtpParseError) {
        var r = RtpByteReader(body)
        ssrc = try r.u32("SR sender SSRC")
        ntpTime = NtpTimestamp(seconds: try r.u32("SR NTP time"), fraction: try r.u32("SR NTP time"))
        rtpTimestamp = try r.u32("SR RTP timestamp")
        packetCount = try r.u32("SR packet count")
        octetCount = try r.u32("SR octet count")
        reports = []
        for _ in 0..<count { reports.append(try ReportBlock.parse(&r)) }
        profileExtension = try r.take(r.remaining, "SR extension")
    }

    func body() -> [UInt8] {
        var w = RtpByteWriter()
        w.u32(ssrc)
        w.u32(ntpTime.seconds); w.u32(ntpTime.fraction)
        w.u32(rtpTimestamp); w.u32(packetCount); w.u32(octetCount)
        for b in reports.prefix(31) { b.write(&w) }
        w.append(profileExtension)
        return w.bytes
    }
}
