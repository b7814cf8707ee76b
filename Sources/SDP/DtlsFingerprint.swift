/// RFC 8122 `a=fingerprint`: hash algorithm and certificate digest, e.g. "sha-256 AB:CD:...".
package struct DtlsFingerprint: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// Digest sizes in bytes of the hash functions named by RFC 8122 (lower-case names).
    package static let digestLengths: [String: Int] = [
        "sha-1": 20, "sha-224": 28, "sha-256": 32, "sha-384": 48, "sha-512": 64, "md5": 16, "md2": 16,
    ]

    /// Lower-case hash function name, e.g. "sha-256".
    package var algorithm: String
    /// The digest.
    package var bytes: [UInt8]

    /// Creates a fingerprint from a digest.
    package init(algorithm: String, bytes: [UInt8]) {
        self.algorithm = algorithm.lowercased()
        self.bytes = bytes
    }

    /// Parses the attribute value "sha-256 AB:CD:..."; nil if malformed or the digest length does not fit the algorithm.
    package init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let algorithm = parts[0].lowercased()
        var bytes: [UInt8] = []
        for pair in parts[1].split(separator: ":", omittingEmptySubsequences: false) {
            guard pair.utf8.count == 2, let byte = UInt8(pair, radix: 16) else { return nil }
            bytes.append(byte)
        }
        if let expected = DtlsFingerprint.digestLengths[algorithm], expected != bytes.count { return nil }
        guard !bytes.isEmpty, bytes.count <= 64 else { return nil }
        self.init(algorithm: algorithm, bytes: bytes)
    }

    /// Upper-case colon-separated hex digest, as browsers write it.
    package var hexDigest: String {
        bytes.map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// The attribute value "sha-256 AB:CD:...".
    package var attributeValue: String { "\(algorithm) \(hexDigest)" }

    package var description: String { attributeValue }

    /// Compares in time independent of where the digests differ (the digest is public, but this costs nothing).
    package func matches(_ other: DtlsFingerprint) -> Bool {
        guard algorithm == other.algorithm, bytes.count == other.bytes.count else { return false }
        var difference: UInt8 = 0
        for index in bytes.indices { difference |= bytes[index] ^ other.bytes[index] }
        return difference == 0
    }

    /// Whether `digest` (computed by the DTLS layer with `algorithm`) is this fingerprint's digest.
    package func matches(digest: [UInt8]) -> Bool {
        matches(DtlsFingerprint(algorithm: algorithm, bytes: digest))
    }
}
