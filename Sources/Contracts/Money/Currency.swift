/// An ISO-4217 currency this system handles, with its exponent: the number of minor-unit digits
/// (EUR 2: 12999 minor units are 129.99 EUR; JPY 0; KWD 3). Only the listed currencies exist, so an
/// amount's exponent is always known; an unknown code is an error at the boundary, never a guess.
///
/// JSON: the bare code, `"EUR"`.
public struct Currency: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Three uppercase ASCII letters.
    public let code: String
    /// Digits after the decimal separator in the minor unit (ISO-4217's "minor unit" column).
    public let exponent: Int

    private init(code: String, exponent: Int) {
        self.code = code
        self.exponent = exponent
    }

    public static let EUR = Currency(code: "EUR", exponent: 2)
    public static let USD = Currency(code: "USD", exponent: 2)
    public static let GBP = Currency(code: "GBP", exponent: 2)
    public static let JPY = Currency(code: "JPY", exponent: 0)
    public static let KWD = Currency(code: "KWD", exponent: 3)

    /// Every currency this system knows, sorted by code.
    public static let supported: [Currency] = [.EUR, .GBP, .JPY, .KWD, .USD]

    /// The currency for `code`; `malformedCurrencyCode` unless it is three uppercase ASCII letters,
    /// `unsupportedCurrency` when it is well formed but not one of `supported`.
    public init(code: String) throws(MoneyError) {
        let letters = Array(code.utf8)
        guard letters.count == 3, letters.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw .malformedCurrencyCode(code)
        }
        guard let known = Self.supported.first(where: { $0.code == code }) else {
            throw .unsupportedCurrency(code: code)
        }
        self = known
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let code = try container.decode(String.self)
        do {
            self = try Currency(code: code)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(code)
    }

    public var description: String { code }
}
