#if canImport(Glibc)
import Glibc
#endif
import Media
import CALSA
import CShims

/// An open ALSA PCM (snd_pcm_t) configured for interleaved S16_LE in 20 ms periods. Owns the
/// handle; closes it on deinit. Non-blocking underneath so the owning thread can stop promptly.
final class AlsaPCM {
    enum Direction { case capture, playback }

    let device: String
    let direction: Direction
    /// What the device accepted (may differ from the request: resample/mix around it).
    let rate: Int
    let channels: Int
    let periodFrames: Int
    private var pcm: OpaquePointer?

    /// Periods in the device buffer: enough to ride out scheduling hiccups, small for latency.
    static let bufferPeriods = 4
    /// How long one wait for the device may take before the owner checks for stop.
    static let waitMs: Int32 = 100

    /// Silences ALSA's own stderr messages once per process (they would land on the TUI).
    static let silenceErrors: Void = { shim_alsa_silence_errors() }()

    init(device: String, direction: Direction, channels: Int, rate: Int = 48_000) throws {
        _ = AlsaPCM.silenceErrors
        self.device = device
        self.direction = direction
        let stream = direction == .capture ? SND_PCM_STREAM_CAPTURE : SND_PCM_STREAM_PLAYBACK
        var handle: OpaquePointer?
        let rc = snd_pcm_open(&handle, device, stream, SND_PCM_NONBLOCK)
        guard rc >= 0, let handle else { throw AlsaPCM.openError(device: device, direction: direction, code: rc) }
        pcm = handle
        var hw: OpaquePointer?
        snd_pcm_hw_params_malloc(&hw)
        defer { snd_pcm_hw_params_free(hw) }
        var actualRate = UInt32(rate)
        var actualChannels = UInt32(channels)
        var period = snd_pcm_uframes_t(rate / 50)
        var buffer = period * snd_pcm_uframes_t(AlsaPCM.bufferPeriods)
        var dir: Int32 = 0
        func check(_ code: Int32, _ what: String) throws {
            if code < 0 {
                snd_pcm_close(handle)
                throw CaptureError("ALSA device '\(device)' cannot \(what): \(String(cString: snd_strerror(code))); "
                                   + "pick another device from `tuicall devices` or try 'plug:\(device)'")
            }
        }
        do {
            try check(snd_pcm_hw_params_any(handle, hw), "report its capabilities")
            try check(snd_pcm_hw_params_set_access(handle, hw, SND_PCM_ACCESS_RW_INTERLEAVED), "do interleaved access")
            try check(snd_pcm_hw_params_set_format(handle, hw, SND_PCM_FORMAT_S16_LE), "do 16-bit samples")
            try check(snd_pcm_hw_params_set_channels_near(handle, hw, &actualChannels), "do \(channels) channel(s)")
            try check(snd_pcm_hw_params_set_rate_near(handle, hw, &actualRate, &dir), "do \(rate) Hz")
            period = snd_pcm_uframes_t(actualRate / 50)
            buffer = period * snd_pcm_uframes_t(AlsaPCM.bufferPeriods)
            try check(snd_pcm_hw_params_set_period_size_near(handle, hw, &period, &dir), "use 20 ms periods")
            try check(snd_pcm_hw_params_set_buffer_size_near(handle, hw, &buffer), "set its buffer size")
            try check(snd_pcm_hw_params(handle, hw), "apply the audio parameters")
        } catch { pcm = nil; throw error }
        self.rate = Int(actualRate)
        self.channels = Int(actualChannels)
        self.periodFrames = Int(period)
        if direction == .capture {
            snd_pcm_start(handle)
        } else {
            // Start playing once two periods are queued: a small cushion against jitter after
            // every underrun, instead of starting on the first frame and underrunning again.
            var sw: OpaquePointer?
            snd_pcm_sw_params_malloc(&sw)
            defer { snd_pcm_sw_params_free(sw) }
            snd_pcm_sw_params_current(handle, sw)
            snd_pcm_sw_params_set_start_threshold(handle, sw, period * 2)
            snd_pcm_sw_params_set_avail_min(handle, sw, period)
            snd_pcm_sw_params(handle, sw)
        }
    }

    deinit { if let pcm { snd_pcm_close(pcm) } }

    static func openError(device: String, direction: Direction, code: Int32) -> CaptureError {
        let side = direction == .capture ? "capture (microphone)" : "playback (speaker)"
        let option = direction == .capture ? "--mic" : "--speaker"
        let reason = String(cString: snd_strerror(code))
        switch -code {
        case ENOENT, ENODEV, ENXIO:
            return CaptureError("no ALSA \(side) device '\(device)' (\(reason)): list devices with `tuicall devices`, "
                                + "or use \(option) none")
        case EBUSY:
            return CaptureError("ALSA device '\(device)' is busy: another program is using it; close it, "
                                + "use 'plug:dmix'/'default', or pick another device with \(option)")
        case EACCES, EPERM:
            return CaptureError("permission denied opening ALSA device '\(device)': add your user to the "
                                + "'audio' group (sudo usermod -aG audio $USER) and log in again")
        default:
            return CaptureError("cannot open ALSA \(side) device '\(device)': \(reason); "
                                + "list devices with `tuicall devices`, or use \(option) none")
        }
    }

    /// Recovers from an xrun (-EPIPE) or suspend (-ESTRPIPE); throws on anything else.
    private func recover(_ code: Int) throws {
        let rc = snd_pcm_recover(pcm, Int32(code), 1)
        if rc < 0 {
            throw CaptureError("ALSA device '\(device)' failed: \(String(cString: snd_strerror(Int32(code)))); "
                               + "was it unplugged? check `tuicall devices`")
        }
        if direction == .capture { snd_pcm_start(pcm) }
    }

    /// Xruns recovered so far.
    private(set) var xruns = 0

    /// Waits up to `waitMs` and returns whatever captured samples are available (interleaved,
    /// device rate and channels); empty when nothing arrived in time.
    func read() throws -> [Int16] {
        let w = snd_pcm_wait(pcm, Int32(AlsaPCM.waitMs))
        if w < 0 { xruns += 1; try recover(Int(w)); return [] }
        var buf = [Int16](repeating: 0, count: periodFrames * channels)
        let n = buf.withUnsafeMutableBytes { snd_pcm_readi(pcm, $0.baseAddress, snd_pcm_uframes_t(periodFrames)) }
        if n == -Int(EAGAIN) { return [] }
        if n < 0 { xruns += 1; try recover(n); return [] }
        buf.removeLast((periodFrames - n) * channels)
        return buf
    }

    /// Writes all samples (interleaved, device rate and channels), waiting for room;
    /// returns early (dropping the rest) when `shouldStop` turns true.
    func write(_ samples: [Int16], shouldStop: () -> Bool) throws {
        var offset = 0
        let total = samples.count / channels
        while offset < total && !shouldStop() {
            let n = samples.withUnsafeBytes { raw in
                snd_pcm_writei(pcm, raw.baseAddress! + offset * channels * 2, snd_pcm_uframes_t(total - offset))
            }
            if n == -Int(EAGAIN) || n == 0 {
                let w = snd_pcm_wait(pcm, Int32(AlsaPCM.waitMs))
                if w < 0 { xruns += 1; try recover(Int(w)) }
                continue
            }
            if n < 0 { xruns += 1; try recover(n); continue }
            offset += n
        }
    }

    /// Lets queued playback finish (blocking up to the buffer length), used on close.
    func drain() {
        snd_pcm_nonblock(pcm, 0)
        snd_pcm_drain(pcm)
    }

    /// Discards queued playback at once (device stalled or gone).
    func drop() { snd_pcm_drop(pcm) }
}
