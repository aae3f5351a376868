import ServiceKit

/// What a new password must satisfy. Length is the rule that matters (NIST SP 800-63B); composition rules
/// are left out on purpose.
public struct PasswordPolicy: Sendable, Equatable {
    public var minimumLength: Int = 12
    /// Bounded so a request cannot make the KDF chew on megabytes.
    public var maximumLength: Int = 256

    public init(minimumLength: Int = 12, maximumLength: Int = 256) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
    }

    /// The problems with `password`, empty when it is acceptable. Lengths count characters, not bytes.
    public func problems(with password: String, field: String = "password") -> [FieldError] {
        let length = password.count
        if length < minimumLength {
            return [FieldError(field: field, message: "must be at least \(minimumLength) characters")]
        }
        if length > maximumLength {
            return [FieldError(field: field, message: "must be at most \(maximumLength) characters")]
        }
        if password.allSatisfy({ $0.isWhitespace }) {
            return [FieldError(field: field, message: "must not be only whitespace")]
        }
        // NUL and other control characters cannot be typed, and some stores and libraries cut strings at NUL.
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return [FieldError(field: field, message: "must not contain control characters")]
        }
        return []
    }
}
