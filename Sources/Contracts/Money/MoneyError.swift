/// Every way a money operation can fail. Arithmetic never converts between currencies and never wraps:
/// it throws one of these instead. Services map them to 422 (API.md §1.3: mixed currency or overflow).
public enum MoneyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two amounts in different currencies were added, subtracted, compared or summed. There is no
    /// conversion: the caller has mixed currencies and must not.
    case currencyMismatch(operation: String, left: String, right: String)
    /// The exact result does not fit in `Int64` minor units.
    case overflow(operation: String)
    /// A well-formed ISO-4217 code that this system does not sell in (its exponent is unknown here).
    case unsupportedCurrency(code: String)
    /// Not three uppercase ASCII letters.
    case malformedCurrencyCode(String)
    /// `sum` of no amounts: there is no currency to give the zero.
    case emptySum

    public var description: String {
        switch self {
        case .currencyMismatch(let operation, let left, let right):
            "cannot \(operation) \(left) and \(right): amounts in different currencies are never converted"
        case .overflow(let operation):
            "\(operation) overflows Int64 minor units"
        case .unsupportedCurrency(let code):
            "unsupported currency \(code); supported: \(Currency.supported.map(\.code).joined(separator: ", "))"
        case .malformedCurrencyCode(let code):
            "\"\(code)\" is not an ISO-4217 currency code (three uppercase letters, e.g. EUR)"
        case .emptySum:
            "the sum of no amounts has no currency; pass the currency of the zero"
        }
    }
}
