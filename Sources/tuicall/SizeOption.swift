/// "640x480"-style option values (`--video-size`, `bench call --size`, `bench render --boxes`).
enum SizeOption {
    /// WIDTHxHEIGHT (an "X" works too) as two integers; nil when malformed.
    static func parse<S: StringProtocol>(_ text: S) -> (width: Int, height: Int)? {
        let parts = text.lowercased().split(separator: "x").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
}
