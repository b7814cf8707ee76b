#if canImport(Glibc)
import Glibc
#endif
import Media
import CALSA

/// A camera found under /dev.
public struct CameraInfo: Sendable, Equatable {
    public var path: String
    public var name: String
    public var driver: String
    public var formats: [CameraFormat]
}

/// An ALSA PCM from the configuration's device hints.
public struct AudioDeviceInfo: Sendable, Equatable {
    /// What to pass to --mic / --speaker (e.g. "default", "hw:CARD=C920,DEV=0").
    public var name: String
    public var description: String
}

/// The cameras and sound devices this machine offers (`tuicall devices`).
public struct DeviceList: Sendable, Equatable {
    public var cameras: [CameraInfo]
    /// Device nodes that look like cameras but could not be opened, with the reason.
    public var cameraProblems: [String]
    public var captureDevices: [AudioDeviceInfo]
    public var playbackDevices: [AudioDeviceInfo]

    /// Scans `/dev/video*` (or `devDirectory`) and ALSA's PCM hints.
    public static func scan(devDirectory: String = "/dev") -> DeviceList {
        var list = DeviceList(cameras: [], cameraProblems: [], captureDevices: [], playbackDevices: [])
        for path in videoNodes(in: devDirectory) {
            do {
                let device = try V4L2Device(path: path)
                list.cameras.append(CameraInfo(path: path, name: device.card, driver: device.driver,
                                               formats: device.formats().filter { !$0.emulated }))
            } catch let e as CaptureError {
                // Metadata nodes (second node of a UVC camera) are not cameras: leave them out.
                if !e.description.contains("not a video capture device") { list.cameraProblems.append(e.description) }
            } catch {}
        }
        (list.captureDevices, list.playbackDevices) = alsaPCMs()
        return list
    }

    /// /dev/videoN paths sorted by N.
    static func videoNodes(in dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var numbers: [Int] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix("video"), let n = Int(name.dropFirst(5)) { numbers.append(n) }
        }
        return numbers.sorted().map { "\(dir)/video\($0)" }
    }

    /// ALSA PCM hints split into capture and playback (a hint without IOID is both).
    static func alsaPCMs() -> ([AudioDeviceInfo], [AudioDeviceInfo]) {
        _ = AlsaPCM.silenceErrors
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard snd_device_name_hint(-1, "pcm", &hints) == 0, let hints else { return ([], []) }
        defer { snd_device_name_free_hint(hints) }
        var capture: [AudioDeviceInfo] = [], playback: [AudioDeviceInfo] = []
        var i = 0
        while let hint = hints[i] {
            i += 1
            func get(_ key: String) -> String? {
                guard let p = snd_device_name_get_hint(hint, key) else { return nil }
                defer { free(p) }
                return String(cString: p)
            }
            guard let name = get("NAME"), name != "null" else { continue }
            let desc = (get("DESC") ?? "").split(separator: "\n").joined(separator: " - ")
            let info = AudioDeviceInfo(name: name, description: desc)
            let io = get("IOID")
            if io == nil || io == "Input" { capture.append(info) }
            if io == nil || io == "Output" { playback.append(info) }
        }
        return (capture, playback)
    }

    /// The listing as the user reads it; says plainly when something is missing.
    public var report: String {
        var out = "Cameras:\n"
        if cameras.isEmpty {
            out += "  no cameras found (use --camera test for a test pattern, or --camera FILE.y4m)\n"
        }
        for c in cameras {
            out += "  \(c.path)  \(c.name) [\(c.driver)]\n"
            for f in c.formats {
                let sizes = f.sizes.map { s in
                    let rates = s.frameRates.map { r in r == r.rounded() ? "\(Int(r))" : "\(r)" }
                    return "\(s.width)x\(s.height)" + (rates.isEmpty ? "" : "@" + rates.joined(separator: "/"))
                }
                out += "    \(f.fourcc) (\(f.description)): \(sizes.isEmpty ? "sizes not reported" : sizes.joined(separator: " "))\n"
            }
        }
        for p in cameraProblems { out += "  ! \(p)\n" }
        out += "Microphones (ALSA capture, use with --mic):\n"
        if captureDevices.isEmpty { out += "  no ALSA capture devices found (use --mic test, --mic FILE.wav or --mic none)\n" }
        for d in captureDevices { out += "  \(d.name)" + (d.description.isEmpty ? "" : "  \(d.description)") + "\n" }
        out += "Speakers (ALSA playback, use with --speaker):\n"
        if playbackDevices.isEmpty { out += "  no ALSA playback devices found (use --speaker FILE.wav or --speaker none)\n" }
        for d in playbackDevices { out += "  \(d.name)" + (d.description.isEmpty ? "" : "  \(d.description)") + "\n" }
        return out
    }
}
