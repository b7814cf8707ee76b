import NIOSSL

/// Host names a certificate is valid for (DNS subject alternative names, else a common name that is not an
/// IP address), so `tuicall serve` can print a wss:// URL that clients accept: TLS verification matches the
/// URL's host against these, and clients cannot send SNI for an IP literal.
public enum CertificateNames {
    public static func hostNames(pemFile path: String) -> [String] {
        guard let cert = try? NIOSSLCertificate.fromPEMFile(path).first else { return [] }
        var names: [String] = []
        for name in cert._subjectAlternativeNames() where name.nameType == .dnsName {
            names.append(String(decoding: name.contents, as: UTF8.self))
        }
        if names.isEmpty, let r = cert.description.range(of: ";common_name=") {
            let cn = String(cert.description[r.upperBound...].prefix { $0 != ";" && $0 != ">" })
            if !cn.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) { names.append(cn) }
        }
        return names.filter { !$0.hasPrefix("*") }
    }
}
