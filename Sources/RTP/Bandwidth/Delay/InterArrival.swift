/// Groups packets sent within 5 ms of each other (a frame's burst) and yields the send, arrival and size
/// differences between consecutive groups: the input of the trendline (GCC, draft-ietf-rmcat-gcc-02 §5.2;
/// libwebrtc's InterArrivalDelta). Packets that arrive together faster than they were sent join the group
/// (a burst queued somewhere); reordered groups are skipped.
package struct InterArrival: Sendable {
    /// Packets sent within this much of a group's first belong to it.
    package static let groupLengthUs: Int64 = 5_000
    /// A packet arriving within this much of the group's last, early relative to its send time, joins it.
    package static let burstDeltaUs: Int64 = 5_000
    /// A burst is never longer than this.
    package static let maxBurstUs: Int64 = 100_000
    /// Arrival and send clocks drifting more than this apart: the receiver's clock jumped, start over.
    package static let clockOffsetResetUs: Int64 = 3_000_000
    /// Consecutive reordered groups after which the history starts over.
    package static let reorderedResetCount = 3

    package struct Deltas: Sendable, Equatable {
        package var sendUs: Int64
        package var arrivalUs: Int64
        package var bytes: Int
    }

    private struct Group: Sendable {
        var firstSendUs: Int64
        var sendUs: Int64
        var firstArrivalUs: Int64
        var completeUs: Int64
        var localUs: Int64
        var bytes = 0
    }
    private var current: Group?
    private var previous: Group?
    private var reordered = 0

    package init() {}

    /// One received packet (send time ours, arrival time the receiver's, local time when feedback came);
    /// the deltas when it closed a group that has a predecessor.
    package mutating func add(sendUs: Int64, arrivalUs: Int64, localUs: Int64, bytes: Int) -> Deltas? {
        guard var group = current else {
            current = Group(firstSendUs: sendUs, sendUs: sendUs, firstArrivalUs: arrivalUs, completeUs: arrivalUs,
                            localUs: localUs, bytes: bytes)
            return nil
        }
        if sendUs < group.firstSendUs { return nil }  // reordered within the feedback: ignore it
        var deltas: Deltas?
        if startsNewGroup(group, sendUs: sendUs, arrivalUs: arrivalUs) {
            if let prev = previous {
                let d = Deltas(sendUs: group.sendUs - prev.sendUs, arrivalUs: group.completeUs - prev.completeUs,
                               bytes: group.bytes - prev.bytes)
                if d.arrivalUs - (group.localUs - prev.localUs) >= Self.clockOffsetResetUs {
                    self = InterArrival()
                    return nil
                }
                if d.arrivalUs < 0 {  // the group was reordered on the way
                    reordered += 1
                    if reordered >= Self.reorderedResetCount { self = InterArrival() }
                    return nil
                }
                reordered = 0
                deltas = d
            }
            previous = group
            group = Group(firstSendUs: sendUs, sendUs: sendUs, firstArrivalUs: arrivalUs, completeUs: arrivalUs,
                          localUs: localUs)
        } else {
            group.sendUs = max(group.sendUs, sendUs)
        }
        group.bytes += bytes
        group.completeUs = arrivalUs
        group.localUs = localUs
        current = group
        return deltas
    }

    private func startsNewGroup(_ group: Group, sendUs: Int64, arrivalUs: Int64) -> Bool {
        if belongsToBurst(group, sendUs: sendUs, arrivalUs: arrivalUs) { return false }
        return sendUs - group.firstSendUs > Self.groupLengthUs
    }

    private func belongsToBurst(_ group: Group, sendUs: Int64, arrivalUs: Int64) -> Bool {
        let arrivalDelta = arrivalUs - group.completeUs
        let sendDelta = sendUs - group.sendUs
        if sendDelta == 0 { return true }
        return arrivalDelta - sendDelta < 0 && arrivalDelta <= Self.burstDeltaUs
            && arrivalUs - group.firstArrivalUs < Self.maxBurstUs
    }
}
