import COpenSSL
import CShims
import Foundation
import Synchronization

/// A self-signed ECDSA P-256 certificate and key, as browsers generate for DTLS-SRTP.
///
/// One per process is enough (`shared`); peers authenticate it by the SDP fingerprint, not by a CA.
/// `@unchecked Sendable`: immutable after init (OpenSSL only reads the key and certificate).
package final class DtlsCertificate: @unchecked Sendable {
    /// Validity: browsers accept any; 30 days keeps a long-running client working.
    package static let validityDays = 30
    /// The subject/issuer common name.
    package static let defaultCommonName = "tuicall"

    let key: OpaquePointer   // EVP_PKEY*
    let x509: OpaquePointer  // X509*
    /// SDP value of a=fingerprint, e.g. "sha-256 AB:CD:...".
    package let fingerprint: String

    private static let sharedInstance = Mutex<DtlsCertificate?>(nil)

    /// The process-wide certificate, generated on first use.
    package static func shared() throws -> DtlsCertificate {
        try sharedInstance.withLock { shared in
            if let c = shared { return c }
            let c = try DtlsCertificate()
            shared = c
            return c
        }
    }

    /// Generates a fresh key pair and self-signed X.509 v3 certificate.
    package init(commonName: String = DtlsCertificate.defaultCommonName) throws {
        guard let key = shim_EVP_EC_gen_P256() else { throw TransportError.dtls("P-256 key generation failed: \(opensslErrors())") }
        guard let cert = X509_new() else {
            EVP_PKEY_free(key)
            throw TransportError.dtls("X509_new failed")
        }
        X509_set_version(cert, 2)  // v3
        let serial = UInt32.random(in: 1...UInt32.max >> 1)
        ASN1_INTEGER_set(X509_get_serialNumber(cert), Int(serial))
        X509_gmtime_adj(X509_getm_notBefore(cert), -86_400)  // tolerate a peer clock a day behind
        X509_gmtime_adj(X509_getm_notAfter(cert), Int(Self.validityDays) * 86_400)
        X509_set_pubkey(cert, key)
        let name = X509_get_subject_name(cert)
        let cn = Array(commonName.utf8)
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, Int32(cn.count), -1, 0)
        X509_set_issuer_name(cert, name)
        guard X509_sign(cert, key, EVP_sha256()) > 0 else {
            X509_free(cert); EVP_PKEY_free(key)
            throw TransportError.dtls("certificate signing failed: \(opensslErrors())")
        }
        self.key = key
        x509 = cert
        fingerprint = "sha-256 " + (Self.digest(cert, algorithm: "sha-256") ?? "")
    }

    /// Colon-separated upper-case hex digest of a certificate, or nil for an unknown algorithm.
    static func digest(_ cert: OpaquePointer, algorithm: String) -> String? {
        let names = ["sha-1": "SHA1", "sha-224": "SHA224", "sha-256": "SHA256", "sha-384": "SHA384", "sha-512": "SHA512"]
        guard let name = names[algorithm.lowercased()], let md = EVP_get_digestbyname(name) else { return nil }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var len: UInt32 = 0
        guard X509_digest(cert, md, &out, &len) == 1 else { return nil }
        return out.prefix(Int(len)).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    /// True when `cert` matches an SDP fingerprint value ("sha-256 AB:CD:..."; hex case ignored).
    static func matches(_ cert: OpaquePointer, fingerprint: String) -> Bool {
        let parts = fingerprint.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let actual = digest(cert, algorithm: String(parts[0])) else { return false }
        return actual == parts[1].uppercased()
    }

    deinit {
        X509_free(x509)
        EVP_PKEY_free(key)
    }
}

/// Drains OpenSSL's thread-local error queue into one line.
func opensslErrors() -> String {
    var out: [String] = []
    while case let e = ERR_get_error(), e != 0 {
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(e, &buf, buf.count)
        out.append(buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }
    return out.isEmpty ? "no OpenSSL error" : out.joined(separator: "; ")
}
