import Foundation
import Glibc

/// Why a probe could not connect.
public struct ProbeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A plain TCP client on loopback that writes exactly the bytes it is given: hand-made HTTP and WebSocket
/// frames (unmasked, interleaved), half-sent requests, clients that never read. For the hostile-client
/// tests and `tuicall bench hostile`.
public final class RawSocket: @unchecked Sendable {  // used by one task at a time
    public let fd: Int32

    /// `source` binds the client end to another loopback address (127.0.0.2, ...): many "machines" on one host.
    /// `connectTimeout`: a server that no longer accepts leaves connect() waiting on SYN retries for minutes.
    public init(port: Int, host: String = "127.0.0.1", source: String? = nil, receiveBuffer: Int32? = nil,
                connectTimeout: Double = 3) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProbeError("socket() failed: errno \(errno)") }
        if var rcv = receiveBuffer {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                Glibc.close(fd)
                throw ProbeError("bind to \(source) failed: errno \(errno)")
            }
        }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr(host)
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        var ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 && errno == EINPROGRESS {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&p, 1, Int32(connectTimeout * 1000)) == 1 {
                var err: Int32 = 0
                var len = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                ok = err == 0 ? 0 : -1
                errno = err
            } else {
                errno = ETIMEDOUT
            }
        }
        _ = fcntl(fd, F_SETFL, flags)
        guard ok == 0 else {
            Glibc.close(fd)
            throw ProbeError("connect to \(host):\(port) failed: errno \(errno)")
        }
    }

    public func write(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
    public func write(_ text: String) { write(Array(text.utf8)) }

    /// Bytes that arrive within `seconds`, until the peer closes; `closed` says whether it did. Polls without
    /// blocking: the server under test may share the concurrency pool's few threads.
    public func read(for seconds: Double, until done: ([UInt8]) -> Bool = { _ in false }) async -> (bytes: [UInt8], closed: Bool) {
        var got: [UInt8] = []
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while deadline.timeIntervalSinceNow > 0 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(5))
                continue
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return (got, true) }
            got += buffer[0..<n]
            if done(got) { return (got, false) }
        }
        return (got, false)
    }

    /// Sends the WebSocket upgrade request (subprotocol json) and reads the 101 response.
    public func upgrade() async throws {
        write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
              + "Sec-WebSocket-Protocol: json\r\n\r\n")
        let (bytes, _) = await read(for: 5) { String(decoding: $0, as: UTF8.self).contains("\r\n\r\n") }
        guard String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 101") else {
            throw ProbeError("no 101 answer: \(String(decoding: bytes, as: UTF8.self))")
        }
    }

    /// One WebSocket frame; masked (key 1,2,3,4) unless told otherwise, as RFC 6455 requires of clients.
    public static func frame(opcode: UInt8, fin: Bool = true, _ payload: [UInt8], masked: Bool = true) -> [UInt8] {
        var f: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let mask: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 { f.append(mask | UInt8(payload.count)) } else {
            f += [mask | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        guard masked else { return f + payload }
        let key: [UInt8] = [1, 2, 3, 4]
        return f + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    public static func text(_ s: String, fin: Bool = true, masked: Bool = true) -> [UInt8] {
        frame(opcode: 0x1, fin: fin, Array(s.utf8), masked: masked)
    }

    /// The close code in the first close frame among `bytes` (server frames are unmasked), if any.
    public static func closeCode(in bytes: [UInt8]) -> Int? {
        var i = 0
        while i + 2 <= bytes.count {
            let opcode = bytes[i] & 0x0F
            var len = Int(bytes[i + 1] & 0x7F)
            var start = i + 2
            if len == 126, i + 4 <= bytes.count { len = Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]); start = i + 4 }
            else if len == 127 { return nil }
            if opcode == 0x8 { return start + 2 <= bytes.count ? Int(bytes[start]) << 8 | Int(bytes[start + 1]) : nil }
            i = start + len
        }
        return nil
    }

    public func close() { Glibc.close(fd) }
}
