#if canImport(Glibc)
import Glibc
#endif
import Media
import Synchronization

/// The network emulator as a UDP relay: peers send to `port` as if it were their TURN server; each peer
/// (source address) gets its own upstream socket to the real server and its own link, an uplink (peer →
/// server) and a downlink (server → peer) `LinkEmulator`, so one peer's queue never delays another's.
/// UDP only (TURN over TCP or TLS passes no emulator). One thread moves every packet.
public final class UdpRelay: Sendable {
    public let port: UInt16
    /// The IPv4 address peers send to.
    public let host: String
    public let upstreamPort: UInt16
    private let listenFd: Int32
    private let state: Mutex<State>
    private let thread: Mutex<MediaThread?> = Mutex(nil)

    struct Peer {
        let address: sockaddr_in
        let fd: Int32
        var up: LinkEmulator
        var down: LinkEmulator
    }

    struct State {
        var uplink: ImpairmentProfile
        var downlink: ImpairmentProfile
        var peers: [Peer] = []
        var seed: UInt64
    }

    /// Most peers one relay serves (a call has two; a bench a few). Default 64.
    public static let maxPeers = 64

    /// Listens on `host`:`port` (0: any free port) and relays to 127.0.0.1:`upstreamPort`.
    public init(upstreamPort: UInt16, host: String = "127.0.0.1", port: UInt16 = 0, uplink: ImpairmentProfile = .clean,
                downlink: ImpairmentProfile = .clean, seed: UInt64 = 1) throws {
        self.upstreamPort = upstreamPort
        self.host = host
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw RelayError("socket: errno \(errno)") }
        var addr = Loopback.address(port: port, host: host)
        let bound = Loopback.withSockaddr(&addr) { sa, len in
            var len = len
            return bind(fd, sa, len) == 0 && getsockname(fd, sa, &len) == 0
        }
        listenFd = fd
        guard bound else {
            close(fd)
            throw RelayError("cannot bind \(host):\(port): errno \(errno)")
        }
        Self.enlargeBuffers(listenFd)
        self.port = UInt16(bigEndian: addr.sin_port)
        state = Mutex(State(uplink: uplink, downlink: downlink, seed: seed))
        start()
    }

    private func start() {
        let t = MediaThread(name: "netem-\(port)") { [unowned self] t in self.run(t) }
        thread.withLock { $0 = t }
    }

    /// New impairments for both directions of every peer, from the next packet on.
    public func setProfiles(uplink: ImpairmentProfile, downlink: ImpairmentProfile) {
        state.withLock { s in
            s.uplink = uplink
            s.downlink = downlink
            for i in s.peers.indices {
                s.peers[i].up.setProfile(uplink)
                s.peers[i].down.setProfile(downlink)
            }
        }
    }

    public var profiles: (uplink: ImpairmentProfile, downlink: ImpairmentProfile) {
        state.withLock { ($0.uplink, $0.downlink) }
    }

    /// Totals over every peer, per direction.
    public var stats: (uplink: LinkStats, downlink: LinkStats) {
        state.withLock { s in
            s.peers.reduce((uplink: LinkStats(), downlink: LinkStats())) { ($0.uplink + $1.up.stats, $0.downlink + $1.down.stats) }
        }
    }

    public var peerCount: Int { state.withLock { $0.peers.count } }

    public func stop() {
        let t = thread.withLock { t -> MediaThread? in defer { t = nil }; return t }
        t?.stopAndJoin()
        guard t != nil else { return }
        close(listenFd)
        state.withLock { s in for p in s.peers { close(p.fd) } }
    }

    deinit { stop() }

    // MARK: the relay thread

    private func run(_ t: MediaThread) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while !t.isStopping {
            let (polled, nextDue) = state.withLock { s in
                ([pollfd(fd: listenFd, events: Int16(POLLIN), revents: 0)]
                    + s.peers.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) },
                 s.peers.flatMap { [$0.up.nextDue, $0.down.nextDue] }.compactMap { $0 }.min())
            }
            var fds = polled
            let now = Self.nowSeconds()
            // Wake for the next due packet, and at least every 50 ms to notice a stop.
            let waitMs = nextDue.map { max(0, min(50, Int32((($0 - now) * 1000).rounded(.up)))) } ?? 50
            let ready = poll(&fds, nfds_t(fds.count), waitMs)
            if ready > 0 {
                for (i, p) in fds.enumerated() where p.revents & Int16(POLLIN) != 0 {
                    drain(fd: p.fd, fromPeer: i == 0, &buffer)
                }
            }
            deliver(now: Self.nowSeconds())
        }
    }

    /// Reads every datagram waiting on `fd` into the matching link.
    private func drain(fd: Int32, fromPeer: Bool, _ buffer: inout [UInt8]) {
        while true {
            var from = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = buffer.withUnsafeMutableBytes { b in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, b.baseAddress, b.count, Int32(MSG_DONTWAIT), $0, &len)
                    }
                }
            }
            guard n >= 0 else { return }
            let bytes = Array(buffer[0..<n])
            let now = Self.nowSeconds()
            state.withLock { s in
                if fromPeer {
                    guard let i = peerIndex(for: from, &s) else { return }
                    s.peers[i].up.send(bytes, now: now)
                } else if let i = s.peers.firstIndex(where: { $0.fd == fd }) {
                    s.peers[i].down.send(bytes, now: now)
                }
            }
        }
    }

    private func peerIndex(for address: sockaddr_in, _ s: inout State) -> Int? {
        if let i = s.peers.firstIndex(where: { $0.address.sin_port == address.sin_port && $0.address.sin_addr.s_addr == address.sin_addr.s_addr }) {
            return i
        }
        guard s.peers.count < Self.maxPeers else { return nil }
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var upstream = Loopback.address(port: upstreamPort)
        let ok = Loopback.withSockaddr(&upstream) { connect(fd, $0, $1) == 0 }
        guard ok else {
            close(fd)
            return nil
        }
        Self.enlargeBuffers(fd)
        s.seed &+= 0x9E37_79B9
        s.peers.append(Peer(address: address, fd: fd, up: LinkEmulator(profile: s.uplink, seed: s.seed),
                            down: LinkEmulator(profile: s.downlink, seed: s.seed ^ 0xD0D0)))
        return s.peers.count - 1
    }

    /// Sends what the links have due: uplink packets to the server, downlink packets to their peer.
    private func deliver(now: Double) {
        let out: [(fd: Int32, to: sockaddr_in?, packets: [[UInt8]])] = state.withLock { s in
            var out: [(Int32, sockaddr_in?, [[UInt8]])] = []
            for i in s.peers.indices {
                let up = s.peers[i].up.due(now: now)
                if !up.isEmpty { out.append((s.peers[i].fd, nil, up)) }
                let down = s.peers[i].down.due(now: now)
                if !down.isEmpty { out.append((listenFd, s.peers[i].address, down)) }
            }
            return out
        }
        for (fd, to, packets) in out {
            for p in packets {
                _ = p.withUnsafeBytes { b in
                    if var to {
                        Loopback.withSockaddr(&to) { sendto(fd, b.baseAddress, b.count, Int32(MSG_DONTWAIT), $0, $1) }
                    } else {
                        Glibc.send(fd, b.baseAddress, b.count, Int32(MSG_DONTWAIT))
                    }
                }
            }
        }
    }

    static func nowSeconds() -> Double { Double(MonotonicClock.now()) / 1e9 }

    /// 4 MB each way, so a keyframe burst is queued by the emulator, not dropped by the kernel.
    private static func enlargeBuffers(_ fd: Int32) {
        var size: Int32 = 4 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
}

public struct RelayError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}
