import ArgumentParser
import CallEngine
import WebRTCTransport

/// `--ice-server stun:host:port`, `--ice-server turn:host:port[?transport=udp|tcp] --turn-user U --turn-pass P`
/// for the commands that make calls. None by default: host candidates connect on one machine or LAN.
struct IceOptions: ParsableArguments {
    @Option(name: .customLong("ice-server"),
            help: "A STUN or TURN server (stun:host:port, turn:host:port, turn:host:port?transport=tcp); repeatable. Default: none.")
    var iceServers: [String] = []
    @Option(help: "User name for the TURN servers.") var turnUser: String?
    @Option(help: "Password for the TURN servers.") var turnPass: String?
    @Flag(help: "Use relayed (TURN) candidates only, as a browser's iceTransportPolicy \"relay\" (e.g. behind `bench network`).")
    var relayOnly = false

    /// The ICE configuration these options describe; throws a clear error for a bad URL.
    func configuration() throws -> IceConfiguration {
        var servers: [IceServer] = []
        var hasTurn = false
        for url in iceServers {
            let parsed: IceServerURL
            do { parsed = try IceServerURL(parsing: url) } catch { throw ValidationError("--ice-server \(url): \(error)") }
            if parsed.kind == .turn && (turnUser == nil || turnPass == nil) {
                throw ValidationError("--ice-server \(url) needs --turn-user and --turn-pass")
            }
            hasTurn = hasTurn || parsed.kind == .turn
            servers.append(parsed.kind == .turn
                           ? IceServer(urls: [url], username: turnUser, credential: turnPass)
                           : IceServer(urls: [url]))
        }
        if relayOnly && !hasTurn {
            throw ValidationError("--relay-only needs a TURN server (--ice-server turn:host:port)")
        }
        return IceConfiguration(servers: servers, relayOnly: relayOnly)
    }
}
