/// Loss samples for the loss-based rate from report blocks, each covering at least `minPackets` packets
/// (libwebrtc's kLimitNumPackets, 20), counted from the blocks' cumulative lost and extended highest sequence
/// number. A receiver that sends a report with every NACK (Chromium does) describes a handful of packets at a
/// time: 1 lost of 2 is not 50 % loss, and such samples cut a 10 %-loss stream to its minimum.
package struct LossReportAccumulator: Sendable {
    /// Fewest packets a loss sample covers.
    package static let minPackets = 20

    private var last: (highest: UInt32, lost: Int32)?
    private var expected = 0
    private var lost = 0

    package init() {}

    /// The loss fraction (0...1) once the blocks since the last sample cover `minPackets`, else nil.
    package mutating func add(_ block: ReportBlock) -> Double? {
        guard let previous = last else {
            last = (block.extendedHighestSequenceNumber, block.cumulativeLost)
            return nil
        }
        // An older report (reordered RTCP) says nothing new.
        guard block.extendedHighestSequenceNumber >= previous.highest else { return nil }
        last = (block.extendedHighestSequenceNumber, block.cumulativeLost)
        expected += Int(block.extendedHighestSequenceNumber - previous.highest)
        lost += Int(block.cumulativeLost) - Int(previous.lost)
        guard expected >= Self.minPackets else { return nil }
        defer { expected = 0; lost = 0 }
        return min(max(Double(lost) / Double(expected), 0), 1)
    }
}
