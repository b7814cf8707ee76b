/// Splits encoded VP8 frames into RTP payloads (RFC 7741): one partition per frame, a 15-bit PictureID that
/// starts at a random value and increments per frame, S on the first packet, sizes balanced across packets.
package struct VP8Packetizer: Sendable {
    /// Largest RTP payload (descriptor included) by default, as Chromium and pion use.
    package static let defaultMaxPayloadSize = 1200
    /// Bytes of the descriptor we always write: header, X byte, 15-bit PictureID.
    package static let descriptorSize = 4

    /// Largest RTP payload produced, descriptor included.
    package let maxPayloadSize: Int
    /// PictureID the next frame gets.
    package private(set) var nextPictureId: UInt16

    /// A packetizer; `initialPictureId` defaults to a random 15-bit value.
    package init(maxPayloadSize: Int = defaultMaxPayloadSize, initialPictureId: UInt16 = .random(in: 0...0x7FFF)) {
        self.maxPayloadSize = max(maxPayloadSize, Self.descriptorSize + 1)
        self.nextPictureId = initialPictureId & 0x7FFF
    }

    /// RTP payloads for one encoded frame, in order; set the marker bit on the last one.
    /// The keyframe flag only matters to the caller (e.g. to prioritise); VP8 carries it in the frame itself.
    package mutating func packetize(frame: [UInt8], isKeyframe: Bool = false) -> [[UInt8]] {
        let pictureId = nextPictureId
        nextPictureId = (nextPictureId &+ 1) & 0x7FFF
        guard !frame.isEmpty else { return [] }
        let room = maxPayloadSize - Self.descriptorSize
        let count = (frame.count + room - 1) / room
        // Balanced sizes avoid a tiny last packet (libwebrtc does the same).
        let base = frame.count / count, extra = frame.count % count
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        var offset = 0
        for i in 0..<count {
            let size = base + (i < extra ? 1 : 0)
            var payload = VP8PayloadDescriptor(startOfPartition: i == 0, pictureId: pictureId).serialized()
            payload.reserveCapacity(Self.descriptorSize + size)
            payload.append(contentsOf: frame[offset..<offset + size])
            out.append(payload)
            offset += size
        }
        return out
    }
}
