#if canImport(Glibc)
import Glibc
#endif

/// 127.0.0.1 as the socket calls want it: the address the relay, coturn's probe, the test servers and
/// the tests all use.
public enum Loopback {
    public static func address(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
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
