import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import WSClient

/// Why a connection to the signaling server failed, in words a user can act on, and whether trying again
/// can help: a refused port or a failed DNS lookup may heal (the server restarts, the network comes back);
/// an untrusted certificate or a server that refuses the protocol will not.
public struct ConnectionProblem: Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public var retryable: Bool

    public init(_ description: String, retryable: Bool) {
        self.description = description
        self.retryable = retryable
    }

    /// Classifies an error thrown while connecting to `url`.
    public static func from(_ error: any Error, url: String) -> ConnectionProblem {
        let target = URL(string: url).map { "\($0.host ?? "?"):\($0.port ?? ($0.scheme == "wss" ? 443 : 80))" } ?? url
        switch error {
        case let e as NIOConnectionError:
            if !e.connectionErrors.isEmpty {
                let codes = e.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
                if codes.contains(ECONNREFUSED) {
                    return .init("connection refused by \(target): no server listens there (is it running? right port?)",
                                 retryable: true)
                }
                if codes.contains(where: { [EHOSTUNREACH, ENETUNREACH, ETIMEDOUT].contains($0) }) {
                    return .init("\(target) is unreachable (network down or blocked)", retryable: true)
                }
                return .init("cannot connect to \(target): \(e)", retryable: true)
            }
            if e.dnsAError != nil || e.dnsAAAAError != nil {
                return .init("cannot find the host \(e.host) (DNS lookup failed)", retryable: true)
            }
            return .init("cannot connect to \(target)", retryable: true)
        case let e as ChannelError where e == .connectTimeout(.seconds(10)) || "\(e)".contains("connectTimeout"):
            return .init("no answer from \(target) (connection timed out)", retryable: true)
        case let e as NIOSSLExtraError where e == .failedToValidateHostname:
            return .init("TLS: the server's certificate is not for this host name (\(e)); use the name the "
                         + "certificate names in the URL", retryable: false)
        case let e as NIOSSLError:
            if case .handshakeFailed(let inner) = e, "\(inner)".contains("CERTIFICATE_VERIFY_FAILED") {
                return .init("TLS: the server's certificate is not trusted (self-signed or unknown issuer); trust it "
                             + "with --ca-file FILE.pem", retryable: false)
            }
            return .init("TLS failed with \(target): \(e)", retryable: false)
        case let e as WebSocketClientError:
            if "\(e)".contains("upgrade failed") {
                return .init("\(target) refused the WebSocket upgrade: it is not a chat server of this protocol "
                             + "(subprotocol json), or the path is wrong", retryable: false)
            }
            return .init("WebSocket error with \(target): \(e)", retryable: true)
        default:
            return .init("cannot reach \(target): \(error)", retryable: true)
        }
    }

    /// Common name and subject alternative names of a certificate ("CN=localhost", "localhost", "127.0.0.1").
    public static func names(of cert: NIOSSLCertificate) -> [String] {
        var out: [String] = []
        // The common name is only public through the description ("...;common_name=NAME;...>").
        if let r = cert.description.range(of: ";common_name=") {
            out.append("CN=" + cert.description[r.upperBound...].prefix { $0 != ";" && $0 != ">" })
        }
        for name in cert._subjectAlternativeNames() {
            switch name.nameType {
            case .dnsName: out.append(String(decoding: name.contents, as: UTF8.self))
            case .ipAddress: out.append(name.contents.map(String.init).joined(separator: "."))
            default: break
            }
        }
        return out.isEmpty ? ["(no names)"] : out
    }

    /// Adds who the certificate is for and who issued it to a TLS trust failure (a second handshake that
    /// does not verify, only to read the certificate), so the user knows which certificate to trust.
    public static func describeCertificate(url: String) async -> String? {
        guard let u = URL(string: url), let host = u.host else { return nil }
        let port = u.port ?? 443
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        guard let context = try? NIOSSLContext(configuration: tls) else { return nil }
        let group = MultiThreadedEventLoopGroup.singleton
        let serverName = host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(3))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: serverName))
                    }
                }
                .connect(host: host, port: port).get()
            defer { channel.close(promise: nil) }
            let handler = try await channel.pipeline.handler(type: NIOSSLClientHandler.self).get()
            // The handshake starts on connect; wait for it.
            for _ in 0..<60 {
                let cert = try await channel.eventLoop.submit { handler.peerCertificate }.get()
                if let cert { return "the certificate is for " + Self.names(of: cert).joined(separator: ", ") }
                try await Task.sleep(for: .milliseconds(50))
            }
        } catch {}
        return nil
    }
}
