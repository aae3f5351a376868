import Foundation
import ServiceKit

/// Email normalisation and a deliberately plain syntax check: one `@`, a non-empty local part, a dotted
/// domain, no spaces or control characters. Deliverability is what a verification mail proves, not a regex.
enum EmailAddress {
    static let maximumLength = 254  // RFC 5321 path limit

    /// The same rule as a regular expression, for the document and the registration body's declared rule:
    /// a local part of 1–64 characters and a dotted domain whose labels neither start nor end with `-`,
    /// without spaces, control characters, `@` (but the one) or `<>()[]\,;:"`. `problems` accepts all it
    /// matches (the schemathesis suite checks both ways).
    static let pattern: String = {
        let allowed = #"[^\s@<>()\[\]\\,;:"\x00-\x1F\x7F-\x9F]"#
        let inLabel = #"[^\s@<>()\[\]\\,;:".\x00-\x1F\x7F-\x9F]"#
        let labelEnd = #"[^\s@<>()\[\]\\,;:".\x00-\x1F\x7F-\x9F-]"#
        let label = "\(labelEnd)(?:\(inLabel)*\(labelEnd))?"
        return "\(allowed){1,64}@(?:\(label)\\.)+\(label)"
    }()

    /// The stored, compared form: trimmed and lowercased. Lowercasing the local part is technically lossy
    /// but is what every large provider does and what "unique case-insensitively" needs.
    static func normalize(_ raw: String) -> String {
        raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// Problems with an already-normalised address.
    static func problems(with email: String, field: String = "email") -> [FieldError] {
        func problem(_ message: String) -> [FieldError] { [FieldError(field: field, message: message)] }
        if email.isEmpty { return problem("must not be empty") }
        if email.count > maximumLength { return problem("must be at most \(maximumLength) characters") }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
            !local.isEmpty, local.count <= 64, !domain.isEmpty
        else { return problem("must be a valid email address") }
        // Control characters as Unicode's Cc, as the declared rules and the document count them.
        let forbidden = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "<>()[]\\,;:\""))
        if email.unicodeScalars.contains(where: { forbidden.contains($0) || $0.properties.generalCategory == .control }) {
            return problem("must be a valid email address")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count < 2 || labels.contains(where: { $0.isEmpty || $0.hasPrefix("-") || $0.hasSuffix("-") }) {
            return problem("must be a valid email address")
        }
        return []
    }
}
