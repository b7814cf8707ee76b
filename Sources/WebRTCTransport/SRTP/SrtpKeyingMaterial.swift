/// A DTLS-SRTP protection profile (RFC 5764, RFC 7714) with its key and salt sizes.
package enum SrtpProfile: String, Sendable, CaseIterable {
    /// The profile every WebRTC endpoint supports.
    case aes128CmSha1_80 = "SRTP_AES128_CM_SHA1_80"
    /// AES-GCM; used only when libsrtp was built with a crypto library that provides it.
    case aeadAes128Gcm = "SRTP_AEAD_AES_128_GCM"

    /// Master key length in bytes.
    package var keyLength: Int { 16 }
    /// Master salt length in bytes.
    package var saltLength: Int { self == .aes128CmSha1_80 ? 14 : 12 }
}

/// Keys exported from the DTLS handshake with label "EXTRACTOR-dtls_srtp" (RFC 5764 section 4.2):
/// client_key | server_key | client_salt | server_salt.
package struct SrtpKeyingMaterial: Sendable, Equatable {
    /// RFC 5764 exporter label.
    package static let exporterLabel = "EXTRACTOR-dtls_srtp"

    package let profile: SrtpProfile
    /// libsrtp's key||salt for what the DTLS client sends.
    package let clientMaster: [UInt8]
    /// libsrtp's key||salt for what the DTLS server sends.
    package let serverMaster: [UInt8]

    /// Total exporter output for `profile`.
    package static func length(for profile: SrtpProfile) -> Int { 2 * (profile.keyLength + profile.saltLength) }

    /// Splits exporter output; nil when the length does not fit the profile.
    package init?(profile: SrtpProfile, exported m: [UInt8]) {
        let k = profile.keyLength, s = profile.saltLength
        guard m.count == Self.length(for: profile) else { return nil }
        self.profile = profile
        clientMaster = Array(m[0..<k]) + Array(m[2 * k..<2 * k + s])
        serverMaster = Array(m[k..<2 * k]) + Array(m[2 * k + s..<2 * k + 2 * s])
    }

    /// Builds material from explicit masters (tests, benchmarks).
    package init(profile: SrtpProfile, clientMaster: [UInt8], serverMaster: [UInt8]) {
        self.profile = profile
        self.clientMaster = clientMaster
        self.serverMaster = serverMaster
    }
}
