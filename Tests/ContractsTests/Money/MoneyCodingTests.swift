import Contracts
import Foundation
import Testing

/// The JSON shape of API.md §1.3, currencies and their exponents, and display without floating point.
@Suite struct MoneyCodingTests {
    @Test func encodesAsIntegerMinorUnitsAndCode() throws {
        let price = Money(amountMinor: 12999, currency: .EUR)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(price), as: UTF8.self) == #"{"amountMinor":12999,"currency":"EUR"}"#)
    }

    @Test(arguments: [
        (#"{"amountMinor": 12999, "currency": "EUR"}"#, Money(amountMinor: 12999, currency: .EUR)),
        (#"{"currency":"JPY","amountMinor":1500}"#, Money(amountMinor: 1500, currency: .JPY)),
        (#"{"amountMinor":-1250,"currency":"KWD","note":"ignored"}"#, Money(amountMinor: -1250, currency: .KWD)),
        (#"{"amountMinor":9223372036854775807,"currency":"USD"}"#, Money(amountMinor: .max, currency: .USD)),
    ])
    func roundTrips(json: String, expected: Money) throws {
        let decoded = try JSONDecoder().decode(Money.self, from: Data(json.utf8))
        #expect(decoded == expected)
        #expect(try JSONDecoder().decode(Money.self, from: JSONEncoder().encode(decoded)) == expected)
    }

    @Test(arguments: [
        #"{"amountMinor": 129.99, "currency": "EUR"}"#,          // a float where minor units are integers
        #"{"amountMinor": "12999", "currency": "EUR"}"#,         // a string
        #"{"amountMinor": 9223372036854775808, "currency": "EUR"}"#, // beyond Int64
        #"{"currency": "EUR"}"#,                                 // missing amount
        #"{"amountMinor": 1}"#,                                  // missing currency
        #"{"amountMinor": 1, "currency": "XYZ"}"#,               // well formed, unsupported
        #"{"amountMinor": 1, "currency": "eur"}"#,               // lower case
        #"{"amountMinor": 1, "currency": "EURO"}"#,              // four letters
        #"{"amountMinor": 1, "currency": 978}"#,                 // numeric code
    ])
    func rejectsBadJSON(json: String) {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Money.self, from: Data(json.utf8)) }
    }

    @Test func unknownCurrencyErrorSaysWhatIsSupported() {
        do {
            _ = try JSONDecoder().decode(Money.self, from: Data(#"{"amountMinor":1,"currency":"CHF"}"#.utf8))
            Issue.record("CHF decoded")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription.contains("unsupported currency CHF"))
            #expect(context.debugDescription.contains("EUR, GBP, JPY, KWD, USD"))
            #expect(context.codingPath.last?.stringValue == "currency")
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(throws: MoneyError.malformedCurrencyCode("Eu")) { try Currency(code: "Eu") }
        #expect(throws: MoneyError.unsupportedCurrency(code: "CHF")) { try Currency(code: "CHF") }
    }

    @Test func exponentsFollowISO4217() throws {
        #expect(try Currency(code: "JPY").exponent == 0)
        #expect(try Currency(code: "EUR").exponent == 2)
        #expect(try Currency(code: "USD").exponent == 2)
        #expect(try Currency(code: "GBP").exponent == 2)
        #expect(try Currency(code: "KWD").exponent == 3)
        #expect(Currency.supported.map(\.code) == ["EUR", "GBP", "JPY", "KWD", "USD"])
    }

    @Test(arguments: [
        (Money(amountMinor: 12999, currency: .EUR), "129.99 EUR"),
        (Money(amountMinor: 1500, currency: .JPY), "1,500 JPY"),
        (Money(amountMinor: 1250, currency: .KWD), "1.250 KWD"),
        (Money(amountMinor: 5, currency: .EUR), "0.05 EUR"),
        (Money(amountMinor: -5, currency: .EUR), "-0.05 EUR"),
        (Money(amountMinor: 0, currency: .JPY), "0 JPY"),
        (Money(amountMinor: 123456789, currency: .USD), "1,234,567.89 USD"),
        (Money(amountMinor: Int64.min, currency: .GBP), "-92,233,720,368,547,758.08 GBP"),
    ])
    func formatsFromDigitsAlone(money: Money, text: String) {
        #expect(money.formatted == text)
        #expect(money.description == text)
    }
}
