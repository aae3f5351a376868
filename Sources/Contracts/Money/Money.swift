/// An amount of money: whole minor units (`Int64`) of one ISO-4217 currency. No floating point is used
/// anywhere, on the way in, in arithmetic or in display (DOMAIN.md §4.6, API.md §1.3).
///
/// JSON: `{"amountMinor": 12999, "currency": "EUR"}` (129.99 EUR). A fractional `amountMinor` (`129.99`),
/// one beyond `Int64`, a missing field or an unknown currency is a decoding error. (An integral value
/// written with a fraction or an exponent, `12999.0` or `1.2999e4`, reads as 12999: `JSONDecoder` does not
/// say how a number was spelled.)
///
/// Arithmetic is exact or throws: `+`, `-`, `multiplied(by:)`, `sum` and the comparisons throw
/// `MoneyError.currencyMismatch` for two currencies (there is no conversion) and `.overflow` when the result
/// does not fit. Equality (`==`, `Hashable`) is total: amounts in different currencies are simply unequal.
public struct Money: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The amount in the currency's minor unit (cents for EUR, yen for JPY, fils for KWD). May be negative
    /// (refunds, discounts).
    public let amountMinor: Int64
    public let currency: Currency

    public init(amountMinor: Int64, currency: Currency) {
        self.amountMinor = amountMinor
        self.currency = currency
    }

    /// Zero in `currency`.
    public static func zero(_ currency: Currency) -> Money {
        Money(amountMinor: 0, currency: currency)
    }

    public var isZero: Bool { amountMinor == 0 }
    public var isNegative: Bool { amountMinor < 0 }

    /// `formatted`, for logs and debugging.
    public var description: String { formatted }
}
