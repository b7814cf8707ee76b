// swift-tools-version:6.0
import PackageDescription

// Thin C-library modules: one systemLibrary per library, found through pkg-config.
func cLibrary(_ name: String, _ pkg: String, _ apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkg, providers: [.apt([apt])])
}

let package = Package(
    name: "tuicall",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tuicall", targets: ["tuicall"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        cLibrary("CNice", "nice", "libnice-dev"),
        cLibrary("COpenSSL", "openssl", "libssl-dev"),
        cLibrary("CSRTP", "libsrtp2", "libsrtp2-dev"),
        cLibrary("CVPX", "vpx", "libvpx-dev"),
        cLibrary("COpus", "opus", "libopus-dev"),
        cLibrary("CV4L2", "libv4l2", "libv4l-dev"),
        cLibrary("CALSA", "alsa", "libasound2-dev"),
        cLibrary("CNcursesw", "ncursesw", "libncursesw5-dev"),
        cLibrary("CICU", "icu-i18n", "libicu-dev"),
        // Plain C wrappers for variadic functions and function-like macros, one file per library.
        .target(name: "CShims",
                dependencies: ["CNice", "COpenSSL", "CVPX", "COpus", "CV4L2", "CALSA", "CNcursesw", "CICU"]),

        // Value types shared by every media module: I420 video frames, PCM audio frames, queues.
        .target(name: "Media"),
        // The MDN chat-server protocol as Swift values, shared by server and client.
        .target(name: "Signaling"),
        .target(name: "SignalingServer",
                dependencies: [
                    "Signaling", "CShims",
                    .product(name: "Hummingbird", package: "hummingbird"),
                    .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                    .product(name: "HummingbirdTLS", package: "hummingbird"),
                    .product(name: "HummingbirdCore", package: "hummingbird"),
                    .product(name: "Logging", package: "swift-log"),
                    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                    .product(name: "NIOCore", package: "swift-nio"),
                    .product(name: "NIOWebSocket", package: "swift-nio"),
                    .product(name: "NIOSSL", package: "swift-nio-ssl"),
                    .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                    .product(name: "HTTPTypes", package: "swift-http-types"),
                ],
                // The web client ships inside the binary.
                resources: [.embedInCode("WebClient/index.html"), .embedInCode("WebClient/app.js"),
                            .embedInCode("WebClient/call.js"), .embedInCode("WebClient/restart.js"),
                            .embedInCode("WebClient/stats.js"), .embedInCode("WebClient/style.css")]),
        .target(name: "Capture", dependencies: ["Media", "CV4L2", "CALSA", "CShims"]),
        .target(name: "Render", dependencies: ["Media"]),
        .target(name: "Codecs", dependencies: ["Media", "CVPX", "COpus", "CShims"]),
        // The engine, one protocol per module (pion's layout); dependencies point down this list only.
        // Session descriptions and offer/answer (RFC 8866, RFC 9429): pure Swift, no C.
        .target(name: "SDP"),
        // RTP/RTCP packets, jitter buffers, feedback and bandwidth estimation: pure Swift, no C.
        .target(name: "RTP", dependencies: ["Media"]),
        // ICE (libnice), DTLS (OpenSSL) and SRTP (libsrtp2) on one network loop per connection.
        .target(name: "WebRTCTransport",
                dependencies: ["SDP", "Media", "CNice", "COpenSSL", "CSRTP", "CShims",
                               .product(name: "Logging", package: "swift-log")]),
        // The chat-server connection of the client (WebSocket, reconnect, explained failures).
        .target(name: "SignalingClient",
                dependencies: ["Signaling",
                               .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                               .product(name: "NIOPosix", package: "swift-nio"),
                               .product(name: "NIOSSL", package: "swift-nio-ssl"),
                               .product(name: "Logging", package: "swift-log")]),
        // What ties them together: the peer connection, the media session and the call state machine.
        .target(name: "CallEngine",
                dependencies: [
                    "SDP", "RTP", "WebRTCTransport", "SignalingClient", "Signaling", "Media", "Codecs", "Capture",
                    .product(name: "Logging", package: "swift-log"),
                ]),
        // `tuicall bench` workloads: loopback calls, transport, codec and render measurements.
        .target(name: "Benchmarks",
                dependencies: ["CallEngine", "SDP", "WebRTCTransport", "Codecs", "Render", "Capture", "Media",
                               "Signaling"]),
        // Raw TCP/WebSocket clients that send exactly the bytes given: hostile-client tests and `bench hostile`.
        .target(name: "NetworkProbes"),
        // User-space netem: impaired links (loss, bursts, delay, jitter, caps) and the UDP relay that puts
        // any peer behind them.
        .target(name: "NetworkEmulator", dependencies: ["Media"]),
        // Drives a headless Chromium over DevTools: the browser tests and `tuicall bench browser`.
        .target(name: "BrowserDriver",
                dependencies: ["Signaling", "Media",
                               .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                               .product(name: "Logging", package: "swift-log")]),
        .executableTarget(name: "tuicall",
                          dependencies: [
                              "CallEngine", "SignalingClient", "SDP", "WebRTCTransport", "Benchmarks",
                              "Capture", "Render", "Codecs", "Media", "Signaling",
                              "SignalingServer", "BrowserDriver", "NetworkProbes", "NetworkEmulator", "CNcursesw", "CShims",
                              .product(name: "ArgumentParser", package: "swift-argument-parser"),
                              .product(name: "Logging", package: "swift-log"),
                              .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                              .product(name: "NIOCore", package: "swift-nio"),
                              .product(name: "NIOPosix", package: "swift-nio"),
                              .product(name: "NIOWebSocket", package: "swift-nio"),
                              .product(name: "NIOHTTP1", package: "swift-nio"),
                          ]),

        // Helpers several test targets share: the in-process server, event recorders, transport pairs, coturn.
        .target(name: "TestSupport",
                dependencies: ["Signaling", "SignalingServer", "SignalingClient", "WebRTCTransport", "SDP", "NetworkEmulator",
                               .product(name: "Logging", package: "swift-log")],
                path: "Tests/TestSupport"),
        .testTarget(name: "SignalingTests",
                    dependencies: ["Signaling", "SignalingServer", "SignalingClient", "CallEngine", "NetworkProbes", "BrowserDriver",
                                   "TestSupport",
                                   .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                                   .product(name: "Hummingbird", package: "hummingbird"),
                                   .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                                   .product(name: "HTTPTypes", package: "swift-http-types"),
                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                   .product(name: "NIOWebSocket", package: "swift-nio"),
                                   .product(name: "NIOSSL", package: "swift-nio-ssl")]),
        .testTarget(name: "SDPTests", dependencies: ["SDP", "Media"], exclude: ["Fixtures"]),
        .testTarget(name: "RTPTests", dependencies: ["RTP", "Codecs", "Media"]),
        .testTarget(name: "NetworkEmulatorTests", dependencies: ["NetworkEmulator", "Media", "TestSupport"]),
        .testTarget(name: "WebRTCTransportTests", dependencies: ["WebRTCTransport", "SDP", "Media", "TestSupport"]),
        .testTarget(name: "CallEngineTests",
                    dependencies: ["CallEngine", "SDP", "RTP", "WebRTCTransport", "SignalingClient", "Benchmarks",
                                   "TestSupport", "Codecs", "Capture", "Media", "Signaling", "NetworkEmulator"],
                    exclude: ["Helpers/aiortc_peer.py"]),
        .testTarget(name: "BrowserTests",
                    dependencies: ["BrowserDriver", "SignalingServer", "Signaling", "Capture", "TestSupport",
                                   .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                                   .product(name: "Logging", package: "swift-log"),
                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        // Drives the built `tuicall` binary in tmux: a real terminal.
        .testTarget(name: "TUITests", dependencies: ["BrowserDriver", "Signaling", "Capture", "TestSupport",
                                                    .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                                                    .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "RenderTests", dependencies: ["Render", "Media", "Capture", "Benchmarks"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Media"]),
        .testTarget(name: "CodecsTests", dependencies: ["Codecs", "Capture", "Media", "Benchmarks"]),
    ]
)
