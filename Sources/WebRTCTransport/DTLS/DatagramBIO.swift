import COpenSSL
import CShims

/// The I/O side of a DTLS connection: whole datagrams, one at a time.
///
/// OpenSSL's memory BIOs merge queued datagrams and OpenSSL 3.0 has no BIO_s_dgram_pair, so DTLS over
/// ICE needs a custom BIO_METHOD whose write sends exactly one datagram and whose read returns one.
protocol DatagramEndpoint: AnyObject {
    /// Sends one DTLS datagram; returns false when it could not be sent.
    func sendDatagram(_ bytes: UnsafeRawBufferPointer) -> Bool
    /// Removes and returns the next received datagram, if any.
    func nextDatagram() -> [UInt8]?
    /// Size of the next received datagram, 0 when none.
    var pendingDatagramSize: Int { get }
    /// Path MTU for DTLS records.
    var mtu: Int { get }
}

/// The BIO_METHOD and helpers that attach a `DatagramEndpoint` to an SSL object.
enum DatagramBIO {
    /// Created once; BIO_METHOD tables are immutable after setup and shared by all connections.
    nonisolated(unsafe) static let method: OpaquePointer = {
        let m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "tuicall-datagram")!
        BIO_meth_set_create(m) { bio in BIO_set_init(bio, 1); return 1 }
        BIO_meth_set_write(m) { bio, data, len in
            guard let ep = endpoint(bio), let data, len > 0 else { return -1 }
            return ep.sendDatagram(UnsafeRawBufferPointer(start: data, count: Int(len))) ? len : -1
        }
        BIO_meth_set_read(m) { bio, out, cap in
            shim_BIO_clear_retry_flags(bio)
            guard let ep = endpoint(bio), let out else { return -1 }
            guard let datagram = ep.nextDatagram() else {
                shim_BIO_set_retry_read(bio)
                return -1
            }
            let n = min(datagram.count, Int(cap))  // a datagram larger than the buffer is truncated, as UDP does
            datagram.withUnsafeBytes { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: n) }
            return Int32(n)
        }
        BIO_meth_set_ctrl(m) { bio, cmd, _, _ in
            switch cmd {
            case BIO_CTRL_FLUSH: return 1
            case BIO_CTRL_PENDING: return endpoint(bio).map { $0.pendingDatagramSize } ?? 0
            case BIO_CTRL_DGRAM_QUERY_MTU, BIO_CTRL_DGRAM_GET_FALLBACK_MTU: return endpoint(bio).map { $0.mtu } ?? 0
            default: return 0  // WPENDING, peer address, timeouts: not meaningful over ICE
            }
        }
        return m
    }()

    /// Creates a BIO that forwards to `endpoint` (unretained: the endpoint frees the SSL first).
    static func make(for endpoint: DatagramEndpoint) -> OpaquePointer? {
        guard let bio = BIO_new(method) else { return nil }
        BIO_set_data(bio, Unmanaged.passUnretained(endpoint as AnyObject).toOpaque())
        return bio
    }

    private static func endpoint(_ bio: OpaquePointer?) -> DatagramEndpoint? {
        guard let bio, let data = BIO_get_data(bio) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(data).takeUnretainedValue() as? DatagramEndpoint
    }
}
