import Codecs
import Testing

@Suite struct VP8FrameHeaderTests {
    /// A keyframe header: version 0, shown, first partition 100 bytes, 640x480.
    static let keyframe: [UInt8] = {
        let tag = 0 | 0 << 1 | 1 << 4 | 100 << 5
        return [UInt8(tag & 0xFF), UInt8(tag >> 8 & 0xFF), UInt8(tag >> 16 & 0xFF),
                0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01, 0x00, 0x00]
    }()

    @Test func keyframeHeaderGivesSize() throws {
        let h = try VP8FrameHeader.parse(Self.keyframe)
        #expect(h.isKeyframe && h.showFrame)
        #expect(h.version == 0 && h.firstPartitionSize == 100)
        #expect(h.width == 640 && h.height == 480)
        #expect(h.horizontalScale == 0 && h.verticalScale == 0)
        #expect(VP8FrameHeader.isKeyframe(Self.keyframe))
    }

    @Test func scaleBitsAreSeparatedFromSize() throws {
        var bytes = Self.keyframe
        bytes[7] |= 0x40   // horizontal scale 1
        bytes[9] |= 0xC0   // vertical scale 3
        let h = try VP8FrameHeader.parse(bytes)
        #expect(h.width == 640 && h.height == 480 && h.horizontalScale == 1 && h.verticalScale == 3)
    }

    @Test func deltaFrameHasNoSize() throws {
        let h = try VP8FrameHeader.parse([0x31, 0x02, 0x00])   // bit 0 set: interframe
        #expect(!h.isKeyframe && h.width == nil)
        #expect(h.firstPartitionSize == (0x000231 >> 5))
        #expect(!VP8FrameHeader.isKeyframe([0x31, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0, 0, 0, 0]))
    }

    @Test func parsesFromASlice() throws {
        let packet: [UInt8] = [0x90, 0x80] + Self.keyframe   // e.g. after an RTP VP8 descriptor
        #expect(try VP8FrameHeader.parse(packet[2...]).width == 640)
    }

    @Test func malformedHeadersThrow() {
        #expect(throws: VP8FrameHeaderError.truncated(have: 2, need: 3)) { try VP8FrameHeader.parse([0x10, 0x00]) }
        #expect(throws: VP8FrameHeaderError.truncated(have: 6, need: 10)) {
            try VP8FrameHeader.parse(Array(Self.keyframe[0..<6]))
        }
        var bad = Self.keyframe; bad[4] = 0x02
        #expect(throws: VP8FrameHeaderError.badStartCode([0x9D, 0x02, 0x2A])) { try VP8FrameHeader.parse(bad) }
        var zero = Self.keyframe; zero[6] = 0; zero[7] = 0
        #expect(throws: VP8FrameHeaderError.zeroSize) { try VP8FrameHeader.parse(zero) }
        var version = Self.keyframe; version[0] |= 0x0E   // version 7
        #expect(throws: VP8FrameHeaderError.unsupportedVersion(7)) { try VP8FrameHeader.parse(version) }
        #expect(!VP8FrameHeader.isKeyframe([UInt8]()))
        #expect(!VP8FrameHeader.isKeyframe(bad))
    }

    @Test func randomBytesNeverCrashTheParser() {
        var rng = SeededBytes(seed: 7)
        for _ in 0..<5000 {
            let bytes = rng.bytes(rng.below(14))
            if let h = try? VP8FrameHeader.parse(bytes), h.isKeyframe {
                #expect(h.width! > 0 && h.height! > 0 && bytes.count >= 10)
            }
        }
    }
}
