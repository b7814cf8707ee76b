#if canImport(Glibc)
import Glibc
#endif
import Testing
import Media
@testable import Capture

/// Frames equal apart from their timestamps.
func samePicture(_ a: VideoFrame, _ b: VideoFrame) -> Bool {
    var b = b
    b.timestampNs = a.timestampNs
    return a.packed() == b.packed()
}

@Suite struct FileSourceSinkTests {
    @Test func y4mSourceLoopsAtTheFileFrameRate() throws {
        let path = tempPath("loop.y4m")
        let frames = (0..<3).map { TestPattern.frame(width: 64, height: 48, counter: UInt32($0), timestampNs: 0) }
        let w = try Y4MWriter(path: path, header: Y4MHeader(width: 64, height: 48, frameRateNumerator: 50))
        for f in frames { try w.write(f) }
        w.close()
        let source = try Y4MFileSource(path: path)
        let queue = BoundedQueue<VideoFrame>(capacity: 100)
        try source.start(into: queue)
        let got = collect(queue, seconds: 0.5)
        source.stop()
        #expect(source.failure == nil)
        #expect(got.count >= 20 && got.count <= 27, "50 fps for 0.5 s, got \(got.count)")
        for (i, f) in got.enumerated() { #expect(samePicture(f, frames[i % 3]), "frame \(i)") }
        // Timestamps are delivery times on the monotonic clock, increasing.
        #expect(zip(got, got.dropFirst()).allSatisfy { $0.timestampNs < $1.timestampNs })
    }

    @Test func y4mSourceRejectsAnEmptyClip() throws {
        let path = tempPath("noframes.y4m")
        writeBytes(path, Array("YUV4MPEG2 W64 H48 F30:1\n".utf8))
        #expect { try Y4MFileSource(path: path) } throws: { "\($0)".contains("no frames") }
    }

    @Test func y4mSinkRecordsReceivedFramesExactly() throws {
        let path = tempPath("rec.y4m")
        let sink = try Y4MFileSink(path: path, fps: 30, capacity: 100)
        let frames = (0..<10).map { TestPattern.frame(width: 160, height: 120, counter: UInt32($0), timestampNs: 0) }
        for f in frames { sink.accept(f) }
        sink.close()
        #expect(sink.failure == nil && sink.droppedCount == 0)
        let reader = try Y4MReader(path: path)
        #expect(reader.header.width == 160 && reader.header.frameRateNumerator == 30)
        for f in frames { #expect(try reader.readFrame() == f) }
        #expect(try reader.readFrame() == nil)
    }

    @Test func slowSinkNeverBlocksTheProducerAndCountsWhatItDrops() throws {
        let path = tempPath("slow.y4m")
        let sink = try Y4MFileSink(path: path, fps: 30, capacity: 2)
        let frame = TestPattern.frame(width: 1280, height: 720, counter: 0, timestampNs: 0)
        let start = MonotonicClock.now()
        for i in 0..<100 { var f = frame; f.y[0] = UInt8(i); sink.accept(f) }
        let acceptNs = MonotonicClock.now() - start
        sink.close()
        let reader = try Y4MReader(path: path)
        var written: [UInt8] = []
        while let f = try reader.readFrame() { written.append(f.y[0]) }
        // Everything accepted was either written or counted as dropped, and the last frame
        // (the freshest) always made it.
        #expect(written.count + sink.droppedCount == 100)
        #expect(sink.droppedCount > 0)
        #expect(written.last == 99)
        #expect(written == written.sorted())
        // Handing over 100 HD frames took far less than writing them (about 1.4 MB each).
        #expect(acceptNs < 1_000_000_000)
    }

    @Test func wavSourceResamplesAndLoops() throws {
        let path = tempPath("mic16k.wav")
        // 0.1 s of a 16 kHz ramp-free 500 Hz tone.
        let tone = (0..<1600).map { Int16(8000 * sin(2 * Double.pi * 500 * Double($0) / 16_000)) }
        let w = try WavWriter(path: path, channels: 1, sampleRate: 16_000)
        try w.write(tone)
        w.close()
        let source = try WavFileSource(path: path)
        #expect(source.channels == 1)
        // 1600 samples at 16 kHz -> 4800 at 48 kHz = exactly 5 frames.
        #expect(source.samples.count == 4800)
        for i in stride(from: 7, to: 1590, by: 101) { #expect(abs(Int(source.samples[3 * i]) - Int(tone[i])) <= 1) }
        let queue = BoundedQueue<AudioFrame>(capacity: 100)
        try source.start(into: queue)
        let got = collect(queue, seconds: 0.25)
        source.stop()
        #expect(got.count >= 10)
        // Frame 5 is frame 0 again: the file loops.
        #expect(got[5].samples == got[0].samples && got[6].samples == got[1].samples)
    }

    @Test func wavSinkRecordsExactSamplesAndSurvivesACrash() throws {
        let path = tempPath("speaker.wav")
        let sink = try WavFileSink(path: path)
        let frames = (0..<20).map { ToneSignal.frame(index: $0, channels: 2, timestampNs: 0) }
        for f in frames { sink.accept(f) }
        // Readable before close (as if the program died now), up to what was written.
        MonotonicClock.sleep(untilNs: MonotonicClock.now() + 300_000_000)
        let partial = try WavAudio.read(path: path)
        #expect(partial.channels == 2 && partial.sampleRate == 48_000)
        #expect(partial.samples == frames.flatMap(\.samples))
        sink.close()
        #expect(try WavAudio.read(path: path).samples == frames.flatMap(\.samples))
    }
}
