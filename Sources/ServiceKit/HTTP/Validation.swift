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

    /// A query parameter as an integer in `range`: `default` when absent; a message (and `default`) when it
    /// is not a whole number or out of range, so that a bad value is answered, never silently replaced.
    public mutating func integer(_ raw: String?, _ field: String, default value: Int, range: ClosedRange<Int>) -> Int {
        guard let raw else { return value }
        guard let parsed = Int(raw), range.contains(parsed) else {
            add(field, "must be a whole number between \(range.lowerBound) and \(range.upperBound)")
            return value
        }
        return parsed
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
