/// RFC 3550 reports of a whole session: about every second (randomised) an SR per sending stream, or an RR
/// when we send nothing, carrying the report blocks of what we receive and an SDES CNAME; the RTT from the
/// blocks peers send about our streams (`ReportScheduler`, `RttEstimator`).
package struct ReportFeature: Sendable {
    package let cname: String
    package private(set) var scheduler = ReportScheduler()
    package private(set) var rtt = RttEstimator()

    package init(cname: String) { self.cname = cname }

    /// A report block about one of our streams; the smoothed RTT when it measured one.
    package mutating func reportBlock(_ block: ReportBlock, nowNs: UInt64) -> UInt64? {
        rtt.onReportBlock(block, nowNs: nowNs) == nil ? nil : rtt.smoothedRttNs
    }

    /// The report compound's first packets when one is due now (else nothing). `unixNs` is the wall clock
    /// for the NTP timestamp; `senders` are the sending streams' statistics; `blocks` makes the report blocks
    /// of what we receive (only when due: making one starts the next loss interval).
    package mutating func poll(nowNs: UInt64, unixNs: UInt64, senders: [SendStatistics], blocks: () -> [ReportBlock],
                               feedbackSsrc: UInt32) -> [RtcpPacket] {
        guard scheduler.shouldSend(nowNs: nowNs) else { return [] }
        var blocks = blocks()
        let ntp = NtpTimestamp(unixNs: unixNs)
        var out: [RtcpPacket] = []
        for s in senders where s.hasSent {
            out.append(.senderReport(s.makeSenderReport(ntpTime: ntp, nowNs: nowNs, reports: Array(blocks.prefix(31)))))
            blocks = []
        }
        if out.isEmpty {
            out.append(.receiverReport(ReceiverReport(ssrc: feedbackSsrc, reports: Array(blocks.prefix(31)))))
        } else {
            rtt.onSenderReportSent(ntpTime: ntp, nowNs: nowNs)
        }
        let ssrcs = senders.isEmpty ? [feedbackSsrc] : senders.map(\.ssrc)
        out.append(.sourceDescription(SourceDescription(chunks: ssrcs.map { .init(ssrc: $0, cname: cname) })))
        return out
    }
}
