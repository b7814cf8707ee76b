import Testing
import Media
@testable import Capture
#if canImport(Glibc)
import Glibc
#endif

/// A fresh path in a per-process temporary directory.
func tempPath(_ name: String) -> String {
    let dir = "/tmp/tuicall-capture-tests-\(getpid())"
    mkdir(dir, 0o755)
    return "\(dir)/\(UInt64.random(in: 0...UInt64.max))-\(name)"
}

func writeBytes(_ path: String, _ bytes: [UInt8]) {
    let f = fopen(path, "wb")!
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, bytes.count, f) }
    fclose(f)
}

func readBytes(_ path: String) -> [UInt8] {
    guard let f = fopen(path, "rb") else { return [] }
    defer { fclose(f) }
    var out: [UInt8] = [], buf = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65536, f) }
        if n == 0 { break }
        out += buf[0..<n]
    }
    return out
}

@Suite struct Y4MTests {
    @Test(arguments: [(640, 480), (33, 17)])
    func roundTripsFramesExactly(size: (Int, Int)) throws {
        let path = tempPath("rt.y4m")
        let frames = (0..<5).map { TestPattern.frame(width: size.0, height: size.1, counter: UInt32($0), timestampNs: 0) }
        let writer = try Y4MWriter(path: path, header: Y4MHeader(width: size.0, height: size.1,
                                                                frameRateNumerator: 25, frameRateDenominator: 1))
        for f in frames { try writer.write(f) }
        writer.close()
        let reader = try Y4MReader(path: path)
        #expect(reader.header == Y4MHeader(width: size.0, height: size.1, frameRateNumerator: 25,
                                           frameRateDenominator: 1, chroma: "420jpeg"))
        for f in frames { #expect(try reader.readFrame() == f) }
        #expect(try reader.readFrame() == nil)
        reader.rewind()
        #expect(try reader.readFrame() == frames[0])
    }

    @Test func writerScalesFramesOfAnotherSize() throws {
        let path = tempPath("scaled.y4m")
        let writer = try Y4MWriter(path: path, header: Y4MHeader(width: 64, height: 48))
        try writer.write(TestPattern.frame(width: 640, height: 480, counter: 9, timestampNs: 0))
        writer.close()
        let frame = try #require(try Y4MReader(path: path).readFrame())
        #expect(frame.width == 64 && frame.height == 48)
        #expect(TestPattern.decode(frame, referenceNs: 0)?.frameCounter == 9)
    }

    @Test func parsesHeaderVariants() throws {
        let h = try Y4MHeader.parse("YUV4MPEG2 W352 H288 F30000:1001 It A128:117 C420mpeg2 XYSCSS=420MPEG2")
        #expect(h.width == 352 && h.height == 288 && h.chroma == "420mpeg2")
        #expect(abs(h.framesPerSecond - 29.97) < 0.01)
        let bare = try Y4MHeader.parse("YUV4MPEG2 W2 H2")
        #expect(bare.chroma == "420jpeg" && bare.frameRateNumerator == 30)
        for c in ["420", "420paldv"] { #expect(try Y4MHeader.parse("YUV4MPEG2 W4 H4 C\(c)").chroma == c) }
    }

    @Test(arguments: [
        ("YUV4MPEG2 W640 H480 F30:1 C444", "C444"),
        ("YUV4MPEG2 W640 H480 C420p10", "C420p10"),
        ("YUV4MPEG2 H480 F30:1", "frame size"),
        ("YUV4MPEG2 W640 H480 F30:0", "frame rate"),
        ("RIFF....WAVEfmt ", "not a Y4M file"),
    ])
    func rejectsBadHeadersWithClearErrors(line: String, mentions: String) {
        #expect {
            try Y4MHeader.parse(line, name: "clip.y4m")
        } throws: { error in
            let text = "\(error)"
            return text.contains(mentions) && text.contains("clip.y4m")
        }
    }

    @Test func reportsTruncatedFrame() throws {
        let path = tempPath("trunc.y4m")
        writeBytes(path, Array("YUV4MPEG2 W4 H4 F30:1 C420jpeg\nFRAME\n".utf8) + [UInt8](repeating: 1, count: 24)
                   + Array("FRAME\n".utf8) + [UInt8](repeating: 2, count: 10))
        let reader = try Y4MReader(path: path)
        #expect(try reader.readFrame()?.y == [UInt8](repeating: 1, count: 16))
        #expect { try reader.readFrame() } throws: { "\($0)".contains("truncated") && "\($0)".contains(path) }
    }

    @Test func reportsMissingAndEmptyFiles() throws {
        #expect { try Y4MReader(path: "/nonexistent/clip.y4m") } throws: { "\($0)".contains("/nonexistent/clip.y4m") }
        let empty = tempPath("empty.y4m")
        writeBytes(empty, [])
        #expect { try Y4MReader(path: empty) } throws: { "\($0)".contains("empty") }
    }
}
