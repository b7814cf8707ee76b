/// An SDP text that cannot be understood: names the offending line (1-based number and text) and why.
package struct SDPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Longest excerpt of the bad line kept in the error, so a hostile 1 MB line does not flood logs.
    package static let maximumExcerptLength = 80

    /// 1-based line number in the SDP text; nil when the text did not come from an SDP body (e.g. a trickled candidate).
    package var lineNumber: Int?
    /// The offending line, truncated to `maximumExcerptLength` characters.
    package var line: String
    /// What is wrong with it.
    package var reason: String

    /// Creates an error for `line`, truncating it.
    package init(lineNumber: Int?, line: String, reason: String) {
        self.lineNumber = lineNumber
        self.line = SDPError.excerpt(line)
        self.reason = reason
    }

    package var description: String {
        let location = lineNumber.map { "SDP line \($0)" } ?? "SDP text"
        return "\(location) \"\(line)\": \(reason)"
    }

    static func excerpt(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > maximumExcerptLength else { return text }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars.prefix(maximumExcerptLength))
        return String(view) + "..."
    }
}

/// An offer or answer that parses but cannot be negotiated (missing transport fields, role conflict, mismatched m-lines).
package struct NegotiationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The media section concerned, when there is one.
    package var mid: String?
    /// What is wrong and, where possible, what the peer should have sent.
    package var reason: String

    /// Creates an error about `mid` (nil for the whole session).
    package init(mid: String? = nil, _ reason: String) {
        self.mid = mid
        self.reason = reason
    }

    package var description: String {
        if let mid { return "SDP negotiation failed for mid \(mid): \(reason)" }
        return "SDP negotiation failed: \(reason)"
    }
}
