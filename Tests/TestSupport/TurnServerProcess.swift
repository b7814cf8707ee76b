import NetworkEmulator
import WebRTCTransport

/// The relay tests' coturn (NetworkEmulator's `CoturnProcess`, shared with `tuicall bench network`).
package typealias TurnServerProcess = CoturnProcess

extension CoturnProcess {
    /// The ICE server entry pointing at this server.
    package var iceServer: IceServer { IceServer(urls: ["turn:127.0.0.1:\(port)"], username: Self.user, credential: Self.password) }
    /// The same server reached over TCP (coturn listens for TCP on the same port).
    package var iceServerTCP: IceServer {
        IceServer(urls: ["turn:127.0.0.1:\(port)?transport=tcp"], username: Self.user, credential: Self.password)
    }
}
