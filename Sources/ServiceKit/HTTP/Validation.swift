/// Collects one message per invalid field, then throws them together as a 400.
///
///     var check = Validator()
///     check.require(!body.email.isEmpty, "email", "is required")
///     try check.finish()
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func require(_ condition: Bool, _ field: String, _ message: String) {
        if !condition, !errors.contains(where: { $0.field == field }) {
            errors.append(FieldError(field: field, message: message))
        }
    }

    public mutating func add(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    public func finish() throws {
        if !errors.isEmpty { throw APIError.validation(errors) }
    }
}

extension String {
    /// A pragmatic address check: one `@`, a non-empty local part, a dotted domain, no spaces.
    public var isPlausibleEmail: Bool {
        let parts = split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), count <= 254 else { return false }
        return !contains(where: { $0.isWhitespace }) && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".")
    }
}
