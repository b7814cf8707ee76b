import Foundation

/// The secrets of `tuicall serve --token-file`: one per line (blank lines and `#` comments skipped).
/// Compared in constant time, so timing tells nothing about how much of a guess was right; never logged.
public struct AccessTokens: Sendable {
    private let secrets: [[UInt8]]

    public init(secrets: [String]) { self.secrets = secrets.map { Array($0.utf8) } }

    /// Reads a token file; throws a message naming the file when it is unreadable or holds no token.
    public init(file path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SignalingServerError(description: "cannot read token file \(path): \(error.localizedDescription)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw SignalingServerError(description: "token file \(path) holds no token") }
        self.init(secrets: lines)
    }

    public var count: Int { secrets.count }

    /// True when `token` is one of the secrets. Every secret is compared in full, whatever matches.
    public func accepts(_ token: String) -> Bool {
        let given = Array(token.utf8)
        var found: UInt8 = 0
        for secret in secrets {
            var diff: UInt8 = given.count == secret.count ? 0 : 1
            let n = max(given.count, secret.count)
            for i in 0..<n {
                let a = i < given.count ? given[i] : 0
                let b = i < secret.count ? secret[i] : 0
                diff |= a ^ b
            }
            found |= diff == 0 ? 1 : 0
        }
        return found == 1
    }
}
