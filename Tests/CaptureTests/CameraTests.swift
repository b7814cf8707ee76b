import Testing
import Media
@testable import Capture
#if canImport(Glibc)
import Glibc
#endif

@Suite struct CameraTests {
    @Test func missingDeviceSaysSoAndSuggestsTheTestPattern() {
        #expect { try V4L2CameraSource(path: "/dev/video97", width: 640, height: 480, fps: 30) } throws: { e in
            let s = "\(e)"
            return s.contains("no such device /dev/video97") && s.contains("--camera test")
        }
    }

    @Test(arguments: ["/dev/null", "/dev/zero"])
    func characterDeviceThatIsNotACameraIsRejected(path: String) {
        #expect { try V4L2CameraSource(path: path, width: 640, height: 480, fps: 30) } throws: { e in
            "\(e)".contains("\(path) is not a video device")
        }
    }

    @Test func regularFileAndDirectoryAreRejected() {
        let file = tempPath("video0")
        writeBytes(file, [1, 2, 3])
        #expect { try V4L2CameraSource(path: file, width: 640, height: 480, fps: 30) } throws: { e in
            "\(e)".contains("\(file) is not a video device")
        }
        #expect { try V4L2CameraSource(path: "/tmp", width: 640, height: 480, fps: 30) } throws: { e in
            "\(e)".contains("/tmp is not a video device")
        }
    }

    @Test func errnoMessagesNameTheDeviceAndTheRemedy() {
        #expect(V4L2Device.error(path: "/dev/video0", errno: EBUSY).description.contains("busy"))
        #expect(V4L2Device.error(path: "/dev/video0", errno: EACCES).description.contains("'video' group"))
        #expect(V4L2Device.error(path: "/dev/video0", errno: ENOENT).description.contains("is a camera connected"))
    }

    static let webcam = [
        CameraFormat(fourcc: "YUYV", description: "YUYV 4:2:2", sizes: [
            CameraSize(width: 640, height: 480, frameRates: [30, 15]),
            CameraSize(width: 1280, height: 720, frameRates: [10, 5]),
            CameraSize(width: 320, height: 240, frameRates: [30]),
        ]),
        CameraFormat(fourcc: "MJPG", description: "Motion-JPEG", sizes: [
            CameraSize(width: 640, height: 480, frameRates: [30]),
            CameraSize(width: 1280, height: 720, frameRates: [30, 60]),
            CameraSize(width: 1920, height: 1080, frameRates: [30]),
        ]),
        CameraFormat(fourcc: "YU12", description: "Planar YUV 4:2:0 (emulated)", emulated: true, sizes: [
            CameraSize(width: 1280, height: 720, frameRates: [30]),
        ]),
    ]

    @Test func chooserPrefersExactSizeAndRateInARawFormat() {
        let m = CameraModeChooser.choose(from: Self.webcam, width: 640, height: 480, fps: 30)
        #expect(m == CameraMode(fourcc: "YUYV", width: 640, height: 480, fps: 30))
    }

    @Test func chooserTakesMJPEGWhenRawCannotKeepTheRate() {
        // YUYV 720p only does 10 fps; MJPEG 720p does 30.
        let m = CameraModeChooser.choose(from: Self.webcam, width: 1280, height: 720, fps: 30)
        #expect(m == CameraMode(fourcc: "MJPG", width: 1280, height: 720, fps: 30))
    }

    @Test func chooserFindsTheNearestSizeWhenTheRequestIsNotOffered() {
        let m = CameraModeChooser.choose(from: Self.webcam, width: 352, height: 288, fps: 30)
        #expect(m?.width == 320 && m?.height == 240)
        #expect(CameraModeChooser.choose(from: [], width: 640, height: 480, fps: 30) == nil)
        // Emulated formats alone are not chosen: libv4l2 converts from a native one anyway.
        #expect(CameraModeChooser.choose(from: [Self.webcam[2]], width: 640, height: 480, fps: 30) == nil)
    }

    @Test func fourccPacking() {
        #expect(fourcc("YU12") == 0x3231_5559)
        #expect(fourccString(0x4750_4A4D) == "MJPG")
    }

    @Test func deviceListReportsNodesThatAreNotCameras() {
        let dir = tempPath("dev")
        mkdir(dir, 0o755)
        writeBytes("\(dir)/video10", [0])
        writeBytes("\(dir)/video2", [0])
        writeBytes("\(dir)/vid", [0])
        #expect(DeviceList.videoNodes(in: dir) == ["\(dir)/video2", "\(dir)/video10"])
        let list = DeviceList.scan(devDirectory: dir)
        #expect(list.cameras.isEmpty)
        #expect(list.cameraProblems.count == 2)
        #expect(list.report.contains("no cameras found"))
        #expect(list.report.contains("\(dir)/video2 is not a video device"))
    }

    @Test func deviceReportListsCameraFormats() {
        let list = DeviceList(cameras: [CameraInfo(path: "/dev/video0", name: "HD Webcam", driver: "uvcvideo",
                                                   formats: Self.webcam)],
                              cameraProblems: [], captureDevices: [], playbackDevices: [])
        let r = list.report
        #expect(r.contains("/dev/video0  HD Webcam [uvcvideo]"))
        #expect(r.contains("MJPG (Motion-JPEG): 640x480@30 1280x720@30/60 1920x1080@30"))
        #expect(r.contains("no ALSA capture devices found") && r.contains("no ALSA playback devices found"))
    }
}

@Suite struct CaptureOptionsTests {
    @Test func cameraSpecsMapToSources() throws {
        #expect(try CaptureOptions.videoSource(spec: "none") == nil)
        let test = try #require(try CaptureOptions.videoSource(spec: "test", width: 320, height: 240, fps: 15))
        #expect((test as? TestPatternSource)?.width == 320)
        let clip = tempPath("c.y4m")
        let w = try Y4MWriter(path: clip, header: Y4MHeader(width: 32, height: 32))
        try w.write(VideoFrame(width: 32, height: 32))
        w.close()
        #expect(try CaptureOptions.videoSource(spec: clip) is Y4MFileSource)
    }

    @Test(arguments: [
        ("/dev/video42", "no such device /dev/video42"),
        ("/dev/null", "not a video device"),
        ("/nonexistent/clip.y4m", "/nonexistent/clip.y4m"),
        ("webcam", "unknown camera 'webcam'"),
    ])
    func badCameraSpecsExplainThemselves(spec: String, mentions: String) {
        #expect { try CaptureOptions.videoSource(spec: spec) } throws: { "\($0)".contains(mentions) }
    }

    @Test func notAY4MFileIsExplained() {
        let file = tempPath("clip.mp4")
        writeBytes(file, [0, 0, 0])
        #expect { try CaptureOptions.videoSource(spec: file) } throws: { "\($0)".contains("ffmpeg") }
    }

    @Test func badSizesAndRatesAreRejected() {
        #expect(throws: CaptureError.self) { try CaptureOptions.videoSource(spec: "test", width: 641, height: 480) }
        #expect(throws: CaptureError.self) { try CaptureOptions.videoSource(spec: "test", fps: 0) }
    }

    @Test func audioSpecsMapToSourcesAndSinks() throws {
        _ = AlsaTestConfig.installed
        #expect(try CaptureOptions.audioSource(spec: "none") == nil)
        #expect(try CaptureOptions.audioSink(spec: "none") == nil)
        #expect(try CaptureOptions.audioSource(spec: "test") is ToneSource)
        #expect(try CaptureOptions.audioSource(spec: "null") is AlsaCaptureSource)
        let out = tempPath("out.wav")
        let sink = try #require(try CaptureOptions.audioSink(spec: out))
        #expect(sink is WavFileSink)
        sink.close()
        let speaker = try #require(try CaptureOptions.audioSink(spec: "null"))
        #expect(speaker is AlsaPlaybackSink)
        speaker.close()
        #expect { try CaptureOptions.audioSource(spec: "/nonexistent/in.wav") } throws: { "\($0)".contains("in.wav") }
        #expect { try CaptureOptions.audioSink(spec: "tuicall_nope") } throws: { "\($0)".contains("--speaker none") }
        #expect { try CaptureOptions.videoSink(path: "out.mp4") } throws: { "\($0)".contains(".y4m") }
    }
}
