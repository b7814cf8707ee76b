#if canImport(Glibc)
import Glibc
#endif

/// 127.0.0.1 as the socket calls want it: the address the relay, coturn's probe, the test servers and
/// the tests all use.
public enum Loopback {
    /// `host`: a dotted IPv4 address (127.0.0.1 unless a caller needs peers that ignore loopback).
    public static func address(port: UInt16, host: String = "127.0.0.1") -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr(host)
        return addr
    }

    /// The first IPv4 address of an interface that is up and not loopback, e.g. eth0's. Browsers and libnice
    /// gather no loopback candidates, so a TURN server (or the emulator in front of one) they must reach
    /// listens here; nil on a machine with loopback only.
    public static func firstExternalIPv4() -> String? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return nil }
        defer { freeifaddrs(list) }
        var next = list
        while let ifa = next {
            defer { next = ifa.pointee.ifa_next }
            let flags = Int32(ifa.pointee.ifa_flags)
            guard flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0,
                  let sa = ifa.pointee.ifa_addr, sa.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            var addr = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &addr, &text, socklen_t(text.count)) != nil else { continue }
            return String(cString: text)
        }
        return nil
    }

    /// Runs `body` with `address` as the `sockaddr` pointer and length the socket calls take.
    public static func withSockaddr<R>(_ address: inout sockaddr_in,
                                       _ body: (UnsafeMutablePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }

    /// Sends one datagram from `fd` to 127.0.0.1:`port`.
    @discardableResult
    public static func send(_ fd: Int32, _ bytes: [UInt8], to port: UInt16) -> Int {
        var addr = address(port: port)
        return withSockaddr(&addr) { sa, len in bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, sa, len) } }
    }
}

/// RFC 8489 Binding, just enough to see that a STUN or TURN server answers and to time its answer.
public enum StunBinding {
    /// A Binding request: type 0x0001, no attributes, the magic cookie and `transactionId` (12 bytes).
    public static func request(transactionId: [UInt8]) -> [UInt8] {
        precondition(transactionId.count == 12)
        return [0, 1, 0, 0, 0x21, 0x12, 0xA4, 0x42] + transactionId
    }

    /// The transaction id of a Binding success response in the first `count` bytes of `buffer`, if it is one.
    public static func successTransactionId(_ buffer: [UInt8], count: Int) -> ArraySlice<UInt8>? {
        count >= 20 && buffer[0] == 0x01 && buffer[1] == 0x01 ? buffer[8..<20] : nil
    }
}
