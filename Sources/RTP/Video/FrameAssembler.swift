/// A complete encoded video frame, ready for the decoder.
package struct AssembledFrame: Sendable, Equatable {
    /// The VP8 frame, descriptors stripped.
    package var data: [UInt8]
    /// True for an intra frame.
    package var isKeyframe: Bool
    /// True when an earlier frame was skipped: a delta frame then lacks its reference, so the decoder should
    /// wait for (and the receiver ask for) a keyframe.
    package var missingBefore: Bool
    /// Sequence number of the first packet.
    package var firstSequenceNumber: UInt16
    /// Sequence number of the marker packet.
    package var lastSequenceNumber: UInt16
    /// 90 kHz capture time from the sender.
    package var rtpTimestamp: UInt32
    /// Arrival of the packet that completed the frame.
    package var arrivalNs: UInt64
    /// VP8 picture ID, when the sender sends one.
    package var pictureId: UInt16?

    package init(data: [UInt8], isKeyframe: Bool, missingBefore: Bool, firstSequenceNumber: UInt16,
                lastSequenceNumber: UInt16, rtpTimestamp: UInt32, arrivalNs: UInt64, pictureId: UInt16? = nil) {
        self.data = data; self.isKeyframe = isKeyframe; self.missingBefore = missingBefore
        self.firstSequenceNumber = firstSequenceNumber; self.lastSequenceNumber = lastSequenceNumber
        self.rtpTimestamp = rtpTimestamp; self.arrivalNs = arrivalNs; self.pictureId = pictureId
    }
}

/// A depacketized video packet as held in the packet buffer.
package struct BufferedVideoPacket: Sendable, Equatable {
    /// As received.
    package var sequenceNumber: UInt16
    /// RTP timestamp (shared by the packets of a frame).
    package var timestamp: UInt32
    /// Set on the last packet of a frame.
    package var marker: Bool
    /// Padding-only packet (no payload): fills a sequence number, belongs to no frame.
    package var isPadding: Bool
    /// The depacketized payload.
    package var video: DepacketizedVideo
    /// Monotonic arrival time.
    package var arrivalNs: UInt64
}

/// Turns reordered, possibly lossy VP8 RTP packets into complete frames, in order, with bounded delay.
/// A frame is complete when its packets are contiguous from a start packet to the marker bit; it is emitted
/// at once (no waiting for the next frame). A frame still incomplete `maxWaitNs` after its first packet arrived
/// is dropped and the assembler moves on, flags the next frame `missingBefore` and raises `needsKeyframe`.
/// A gap followed by a frame whose picture ID continues the last one is known to hold no video (lost padding)
/// and is skipped at once; a complete keyframe beyond a gap is taken at once.
/// No threads: call `insert` for each packet and `poll` when `nextDeadlineNs` passes.
package struct FrameAssembler: Sendable {
    /// How long an incomplete frame may hold up later ones by default (covers a NACK round trip on most paths).
    package static let defaultMaxWaitNs: UInt64 = 100_000_000

    /// Tunables; `maxWaitNs` follows the RTT (`updateRtt`).
    package struct Configuration: Sendable, Equatable {
        /// How long an incomplete frame may wait.
        package var maxWaitNs: UInt64
        /// Span of sequence numbers buffered.
        package var capacity: Int
        /// After a loss, drop delta frames until a keyframe arrives instead of handing them over flagged.
        package var dropDeltaFramesAfterLoss: Bool

        package init(maxWaitNs: UInt64 = FrameAssembler.defaultMaxWaitNs,
                    capacity: Int = PacketBuffer<BufferedVideoPacket>.defaultCapacity,
                    dropDeltaFramesAfterLoss: Bool = false) {
            self.maxWaitNs = maxWaitNs; self.capacity = capacity; self.dropDeltaFramesAfterLoss = dropDeltaFramesAfterLoss
        }
    }

    /// Tunables in force.
    package var configuration: Configuration
    /// True from a skipped frame (or a stream starting with a delta frame) until a keyframe is emitted.
    package private(set) var needsKeyframe = false
    /// When `poll` should next run because an incomplete frame's deadline falls then; nil when nothing waits.
    package private(set) var nextDeadlineNs: UInt64?
    /// Frames handed out.
    package private(set) var framesEmitted = 0
    /// Frames given up (incomplete at their deadline, or skipped to reach a keyframe).
    package private(set) var lossEvents = 0
    /// Delta frames dropped while waiting for a keyframe (`dropDeltaFramesAfterLoss`).
    package private(set) var framesDroppedAwaitingKeyframe = 0
    /// Packets whose payload was not VP8.
    package private(set) var malformedPackets = 0

    private var buffer: PacketBuffer<BufferedVideoPacket>
    /// Next sequence number expected to start a frame; nil while resynchronising on the next frame start.
    private var cursor: Int64?
    private var started = false
    private var pendingMissing = false
    /// Picture ID of the last frame taken (emitted or dropped awaiting a keyframe).
    private var lastPictureId: (id: UInt16, is15Bit: Bool)?

    package init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        buffer = PacketBuffer(capacity: configuration.capacity)
    }

    /// The packet buffer's drop counters (duplicates, too old, evicted).
    package var packetBuffer: PacketBuffer<BufferedVideoPacket> { buffer }

    /// Packets below this sequence number are no longer wanted (taken or given up): pass it to
    /// `NackGenerator.forget(before:)` so lost packets of skipped frames are not NACKed in vain.
    package var firstWantedSequenceNumber: UInt16? { buffer.floor.map { UInt16(truncatingIfNeeded: $0) } }

    /// NACKs an incomplete frame waits for: at 10 % loss each way a NACK or its answer is lost ~19 % of the
    /// time, so with three a frame was still given up (and cost a keyframe and a longer freeze) a few times a
    /// minute at 30 fps; with four about once a minute.
    package static let nackRoundTrips: UInt64 = 4
    /// Added to those round trips: the gap is seen a packet late, NACKed after the reorder delay, and jitter
    /// delays each retransmission.
    package static let nackMarginNs: UInt64 = 150_000_000

    /// Lets an incomplete frame wait for `nackRoundTrips` NACKs: max(default, 4 × the re-NACK interval
    /// (1.25 × RTT) + 150 ms), capped at 1 s.
    package mutating func updateRtt(_ rttNs: UInt64) {
        let nacks = NackGenerator.retryInterval(rttNs: rttNs) * Self.nackRoundTrips
        configuration.maxWaitNs = min(max(Self.defaultMaxWaitNs, nacks + Self.nackMarginNs), 1_000_000_000)
    }

    /// Adds a received packet and returns the frames it completes (often none).
    package mutating func insert(_ packet: RtpPacket, arrivalNs: UInt64) -> [AssembledFrame] {
        let video: DepacketizedVideo
        let padding = packet.payload.isEmpty
        if padding {
            video = DepacketizedVideo(data: [], isStartOfFrame: false, isKeyframe: false)
        } else {
            do { video = try VP8Depacketizer.depacketize(packet.payload) } catch {
                malformedPackets += 1
                return poll(nowNs: arrivalNs)
            }
        }
        let entry = BufferedVideoPacket(sequenceNumber: packet.sequenceNumber, timestamp: packet.timestamp,
                                        marker: packet.marker, isPadding: padding, video: video, arrivalNs: arrivalNs)
        _ = buffer.insert(entry, sequenceNumber: packet.sequenceNumber)
        return poll(nowNs: arrivalNs)
    }

    /// Emits whatever is complete and gives up frames whose deadline passed.
    package mutating func poll(nowNs: UInt64) -> [AssembledFrame] {
        var out: [AssembledFrame] = []
        nextDeadlineNs = nil
        while let step = advance(nowNs: nowNs) {
            if let frame = step { out.append(frame) }
        }
        return out
    }

    /// One step of progress: `.some(frame or nil)` when something changed, nil when blocked.
    private mutating func advance(nowNs: UInt64) -> AssembledFrame?? {
        guard let lowest = buffer.lowest else { return nil }
        guard let c = cursor else { return resync(from: lowest, nowNs: nowNs) }
        if let floor = buffer.floor, c < floor {
            // Evicted by overflow: what the cursor waited for is gone.
            markLoss(); cursor = nil
            return .some(nil)
        }
        if let p = buffer.packet(at: c), p.isPadding {
            buffer.removeAll(before: c + 1); cursor = c + 1
            return .some(nil)
        }
        if let end = completeFrame(at: c) { return .some(emit(from: c, to: end)) }
        if let next = nextFrameProvesGapIsPadding(after: c) {
            buffer.removeAll(before: next); cursor = next
            return .some(nil)
        }
        if let key = laterCompleteKeyframe(after: c) {
            markLoss(); buffer.removeAll(before: key); cursor = key
            return .some(nil)
        }
        guard let since = gapNoticedNs(from: c) else { return nil }
        if nowNs >= since + configuration.maxWaitNs {
            markLoss()
            if buffer.packet(at: c) != nil { buffer.removeAll(before: c + 1) }
            cursor = nil
            return .some(nil)
        }
        nextDeadlineNs = since + configuration.maxWaitNs
        return nil
    }

    /// Without a cursor (at the start, or after a loss): take the lowest frame start. Packets below it may
    /// belong to an earlier frame whose start is late (reordering), so they hold it up until their deadline;
    /// before the first frame a delta frame also waits out its deadline (it cannot be decoded anyway, and
    /// the keyframe's packets may still be on their way). A complete keyframe goes at once.
    private mutating func resync(from lowest: Int64, nowNs: UInt64) -> AssembledFrame?? {
        let packets = buffer.packets(from: lowest)
        let wait = configuration.maxWaitNs
        guard let start = packets.first(where: { $0.packet.video.isStartOfFrame }) else {
            // Only continuation or padding packets: drop those past their deadline so they cannot pile up.
            if let stale = packets.last(where: { nowNs >= $0.packet.arrivalNs + wait }) {
                buffer.removeAll(before: stale.seq + 1)
                return .some(nil)
            }
            nextDeadlineNs = packets.map(\.packet.arrivalNs).min().map { $0 + wait }
            return nil
        }
        let end = completeFrame(at: start.seq)
        let orphans = packets.prefix { $0.seq < start.seq }
        let since = packets.filter { $0.packet.timestamp == start.packet.timestamp }.map(\.packet.arrivalNs).min()
            ?? start.packet.arrivalNs
        if let end, start.packet.video.isKeyframe || (orphans.isEmpty && (started || nowNs >= since + wait)) {
            return .some(emit(from: start.seq, to: end))
        }
        if let key = laterCompleteKeyframe(after: start.seq) {
            markLoss(); buffer.removeAll(before: key)
            return .some(nil)
        }
        if let oldest = orphans.map(\.packet.arrivalNs).min() {
            if nowNs >= oldest + wait {
                // Their frame's start never came: drop them; the frame at `start` is next. (Resync only
                // happens at the start or after a loss already counted, so this is no new loss.)
                buffer.removeAll(before: start.seq)
                return .some(nil)
            }
            nextDeadlineNs = oldest + wait
            return nil
        }
        // An incomplete frame (often the keyframe after a loss) waits from when its loss showed.
        let waitSince = end == nil ? gapNoticedNs(from: start.seq) ?? since : since
        if nowNs >= waitSince + wait {
            // Incomplete at its deadline (a complete one was emitted above).
            markLoss(); buffer.removeAll(before: start.seq + 1)
            return .some(nil)
        }
        nextDeadlineNs = waitSince + wait
        return nil
    }

    /// When the first gap from `seq` showed: the earliest arrival past it, when NACKing it began. A keyframe
    /// paced over 200 ms thus waits as long for a packet lost near its end as a small frame does. Without a gap
    /// (the frame's tail is missing) the latest arrival: the frame is still coming.
    private func gapNoticedNs(from seq: Int64) -> UInt64? {
        let packets = buffer.packets(from: seq)
        guard let first = packets.first else { return nil }
        guard let gap = first.seq != seq ? first.seq
                : zip(packets, packets.dropFirst()).first(where: { $1.seq != $0.seq + 1 })?.1.seq else {
            return packets.map(\.packet.arrivalNs).max()
        }
        return packets.drop { $0.seq < gap }.map(\.packet.arrivalNs).min()
    }

    /// Last sequence number of the frame starting at `start` when all its packets are here.
    private func completeFrame(at start: Int64) -> Int64? {
        guard let first = buffer.packet(at: start), first.video.isStartOfFrame, let highest = buffer.highest else {
            return nil
        }
        var s = start
        while s <= highest {
            guard let p = buffer.packet(at: s) else { return nil }
            // A new timestamp right after contiguous packets means the sender left out the marker.
            if p.timestamp != first.timestamp { return s - 1 }
            if p.marker { return s }
            s += 1
        }
        return nil
    }

    /// The start of the next frame when its picture ID directly follows the last emitted one: then the
    /// missing sequence numbers before it carried no video (lost padding/probe packets), nothing to wait for.
    private func nextFrameProvesGapIsPadding(after seq: Int64) -> Int64? {
        guard let last = lastPictureId else { return nil }
        let between = buffer.packets(from: seq)
        guard let start = between.first(where: { $0.packet.video.isStartOfFrame }),
              let id = start.packet.video.pictureId,
              id == (last.id &+ 1) & (last.is15Bit ? 0x7FFF : 0x7F), start.packet.video.pictureIdIs15Bit == last.is15Bit,
              between.prefix(while: { $0.seq < start.seq }).allSatisfy({ $0.packet.isPadding }),
              completeFrame(at: start.seq) != nil else { return nil }
        return start.seq
    }

    private func laterCompleteKeyframe(after seq: Int64) -> Int64? {
        buffer.packets(from: seq + 1).first { $0.packet.video.isKeyframe && completeFrame(at: $0.seq) != nil }?.seq
    }

    private mutating func markLoss() {
        lossEvents += 1
        pendingMissing = true
        needsKeyframe = true
    }

    private mutating func emit(from start: Int64, to end: Int64) -> AssembledFrame? {
        let parts = (start...end).compactMap { buffer.packet(at: $0) }
        buffer.removeAll(before: end + 1)
        cursor = end + 1
        let first = parts[0]
        let isKey = first.video.isKeyframe
        if !started && !isKey { needsKeyframe = true; pendingMissing = true }
        started = true
        lastPictureId = first.video.pictureId.map { ($0, first.video.pictureIdIs15Bit) }
        if !isKey && needsKeyframe && configuration.dropDeltaFramesAfterLoss {
            framesDroppedAwaitingKeyframe += 1
            return nil
        }
        var data: [UInt8] = []
        data.reserveCapacity(parts.reduce(0) { $0 + $1.video.data.count })
        for p in parts { data.append(contentsOf: p.video.data) }
        let frame = AssembledFrame(data: data, isKeyframe: isKey, missingBefore: pendingMissing,
                                   firstSequenceNumber: first.sequenceNumber,
                                   lastSequenceNumber: parts[parts.count - 1].sequenceNumber,
                                   rtpTimestamp: first.timestamp, arrivalNs: parts.map(\.arrivalNs).max() ?? 0,
                                   pictureId: first.video.pictureId)
        pendingMissing = false
        if isKey { needsKeyframe = false }
        framesEmitted += 1
        return frame
    }
}
