/// Why an Opus encoder or decoder call failed.
public enum OpusCodecError: Error, Equatable, CustomStringConvertible {
    case unsupportedChannels(Int)
    case initFailed(String, String)
    case controlFailed(request: Int, value: Int, String)
    case channelMismatch(expected: Int, got: Int)
    case encodeFailed(String)
    case emptyPacket
    case invalidPacket(String)
    case unsupportedDuration(samples: Int)

    public var description: String {
        switch self {
        case .unsupportedChannels(let n):
            return "Opus supports mono or stereo here, not \(n) channels"
        case let .initFailed(what, m):
            return "libopus \(what) could not start: \(m)"
        case let .controlFailed(request, value, m):
            return "libopus rejected setting \(request) to \(value): \(m)"
        case let .channelMismatch(expected, got):
            return "audio frame has \(got) channel(s) but the Opus encoder was made for \(expected)"
        case .encodeFailed(let m):
            return "libopus encode failed: \(m)"
        case .emptyPacket:
            return "empty Opus packet; use concealLoss() for a missing packet"
        case .invalidPacket(let m):
            return "Opus packet could not be decoded: \(m); treat it as lost (concealLoss())"
        case .unsupportedDuration(let samples):
            return "Opus packet holds \(samples) samples (\(samples / 48) ms) per channel; only 20 ms packets "
                + "are accepted, so negotiate ptime=20 with the peer"
        }
    }
}
