import Contracts
import ServiceKit

/// Shipping's own settings. Every field has a default that works under `shop up`; `init(environment:)`
/// reads them, and an unparsable or unsupported value is an error naming the variable.
public struct ShippingConfiguration: Sendable {
    /// `SHOP_CURRENCY` (default `EUR`): the currency the simulated carrier prices labels in.
    public var currency: Currency = .EUR

    /// The defaults (tests adjust fields directly).
    public init() {}

    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        let code = env.string("SHOP_CURRENCY", default: "EUR")
        do {
            currency = try Currency(code: code)
        } catch {
            throw ConfigError.invalid(name: "SHOP_CURRENCY", value: code,
                                      expected: "one of \(Currency.supported.map(\.code).joined(separator: ", "))")
        }
    }

    /// Every variable `init(environment:)` reads.
    public static let settingNames = ["SHOP_CURRENCY"]
}
