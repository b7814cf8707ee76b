import Testing
import Media
@testable import Capture
#if canImport(Glibc)
import Glibc
#endif

/// An ALSA configuration for this test process: the system's alsa.conf plus two PCMs built on
/// the `file` plugin over `null`: `tuicall_record:FILE=...` writes played samples to FILE as raw
/// S16_LE, and `tuicall_replay:FILE=...` captures the raw samples in FILE.
enum AlsaTestConfig {
    static let installed: Bool = {
        let path = tempPath("asoundrc")
        let conf = """
        </usr/share/alsa/alsa.conf>
        pcm.tuicall_record {
            @args [ FILE ]
            @args.FILE { type string }
            type file
            slave.pcm null
            file $FILE
            format raw
        }
        pcm.tuicall_replay {
            @args [ FILE ]
            @args.FILE { type string }
            type file
            slave.pcm null
            file "/dev/null"
            infile $FILE
            format raw
        }
        pcm.tuicall_both { type null hint { show on description "tuicall test device" } }

        """
        writeBytes(path, Array(conf.utf8))
        setenv("ALSA_CONFIG_PATH", path, 1)
        return true
    }()
}

/// Index of the first difference (or of the end of the shorter array); nil when equal.
func firstMismatch(_ a: [Int16], _ b: [Int16]) -> Int? {
    if let i = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) { return i }
    return a.count == b.count ? nil : min(a.count, b.count)
}

func rawS16(_ samples: [Int16]) -> [UInt8] {
    samples.flatMap { s in [UInt8(UInt16(bitPattern: s) & 0xff), UInt8(UInt16(bitPattern: s) >> 8)] }
}

func fromRawS16(_ bytes: [UInt8]) -> [Int16] {
    stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
}

@Suite(.serialized) struct AlsaTests {
    init() { _ = AlsaTestConfig.installed }

    @Test func playsThroughNullDevice() throws {
        let sink = try AlsaPlaybackSink(device: "null")
        #expect(sink.deviceRate == 48_000)
        for i in 0..<10 { sink.accept(ToneSignal.frame(index: i, channels: 1, timestampNs: 0)) }
        sink.close()
        #expect(sink.failure == nil)
    }

    @Test func playbackWritesTheExactSamplesThroughTheFilePlugin() throws {
        let out = tempPath("played.raw")
        let sink = try AlsaPlaybackSink(device: "tuicall_record:FILE=\(out)", channels: 2)
        let frames = (0..<25).map { ToneSignal.frame(index: $0, channels: 2, timestampNs: 0) }
        for f in frames { sink.accept(f); usleep(5_000) }
        sink.close()
        #expect(sink.failure == nil)
        #expect(sink.droppedCount == 0)
        let written = fromRawS16(readBytes(out))
        #expect(firstMismatch(written, frames.flatMap(\.samples)) == nil)
    }

    @Test func captureReadsTheExactSamplesThroughTheFilePlugin() throws {
        let input = tempPath("mic.raw")
        let expected = (0..<(960 * 20)).map { ToneSignal.sample($0) }
        writeBytes(input, rawS16(expected))
        let source = try AlsaCaptureSource(device: "tuicall_replay:FILE=\(input)")
        let queue = BoundedQueue<AudioFrame>(capacity: 1000)
        try source.start(into: queue)
        var got: [Int16] = []
        let deadline = MonotonicClock.now() + 5_000_000_000
        while got.count < expected.count && MonotonicClock.now() < deadline {
            if let f = queue.pop(timeoutNs: 100_000_000) { got += f.samples }
        }
        source.stop()
        #expect(source.failure == nil)
        #expect(firstMismatch(Array(got.prefix(expected.count)), expected) == nil)
    }

    @Test func captureFromA16kHzDeviceIsResampledTo48kHz() throws {
        let input = tempPath("mic16k.raw")
        // 1 s of 500 Hz at 16 kHz, as a camera microphone would deliver it.
        let tone = (0..<16_000).map { Int16(8000 * sin(2 * Double.pi * 500 * Double($0) / 16_000)) }
        writeBytes(input, rawS16(tone))
        let source = try AlsaCaptureSource(device: "tuicall_replay:FILE=\(input)", deviceRate: 16_000)
        #expect(source.deviceRate == 16_000)
        let queue = BoundedQueue<AudioFrame>(capacity: 1000)
        try source.start(into: queue)
        var got: [Int16] = []
        let deadline = MonotonicClock.now() + 5_000_000_000
        while got.count < 48_000 && MonotonicClock.now() < deadline {
            if let f = queue.pop(timeoutNs: 100_000_000) { got += f.samples }
        }
        source.stop()
        #expect(got.count >= 48_000)
        // Three output samples per input sample, and still 500 Hz: 96 samples per period at 48 kHz.
        let crossings = zip(got.prefix(48_000), got.prefix(48_000).dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        #expect(abs(crossings - 500) <= 2)
        for i in stride(from: 300, to: 15_000, by: 997) { #expect(abs(Int(got[3 * i]) - Int(tone[i])) <= 2) }
    }

    @Test func deviceListShowsHintedPCMsOnBothSides() {
        // A hint without a direction (IOID) is usable for capture and playback.
        let list = DeviceList.scan(devDirectory: tempPath("nodev"))
        let both = AudioDeviceInfo(name: "tuicall_both", description: "tuicall test device")
        #expect(list.captureDevices.contains(both) && list.playbackDevices.contains(both))
        #expect(list.report.contains("tuicall_both  tuicall test device"))
        #expect(list.report.contains("no cameras found"))
        #expect(!list.report.contains("no ALSA capture devices found"))
    }

    @Test(arguments: ["tuicall_no_such_pcm", "hw:7,0"])
    func missingDeviceErrorNamesItAndTheRemedy(device: String) {
        #expect { try AlsaCaptureSource(device: device) } throws: { e in
            "\(e)".contains(device) && "\(e)".contains("tuicall devices") && "\(e)".contains("--mic none")
        }
        #expect { try AlsaPlaybackSink(device: device) } throws: { e in
            "\(e)".contains(device) && "\(e)".contains("--speaker none")
        }
    }

    @Test func busyAndPermissionErrorsSayWhatToDo() {
        let busy = AlsaPCM.openError(device: "hw:1,0", direction: .capture, code: -EBUSY)
        #expect(busy.description.contains("busy") && busy.description.contains("hw:1,0"))
        let denied = AlsaPCM.openError(device: "hw:1,0", direction: .playback, code: -EACCES)
        #expect(denied.description.contains("audio' group"))
    }
}
