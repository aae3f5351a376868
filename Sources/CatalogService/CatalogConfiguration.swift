import Contracts
import Foundation
import ServiceKit

/// The catalog's settings. Every field has a default that works under `shop up`; `init(environment:)`
/// reads them, and an unparsable or out-of-range value is an error naming the variable.
public struct CatalogConfiguration: Sendable {
    /// `SHOP_CURRENCY`: the one currency prices are accepted and shown in (API.md §1.3).
    public var currency: Currency = .EUR
    /// `CATALOG_MAX_CATEGORY_DEPTH`: the deepest a category may sit (a root is at depth 1). Bounds the
    /// materialized paths and the ancestor lists every category answer carries.
    public var maxCategoryDepth: Int = 8

    /// The defaults (tests adjust fields directly).
    public init() {}

    public init(environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        let code = env.string("SHOP_CURRENCY", default: "EUR")
        do {
            currency = try Currency(code: code)
        } catch {
            throw ConfigError.invalid(name: "SHOP_CURRENCY", value: code,
                                      expected: "one of " + Currency.supported.map(\.code).joined(separator: ", "))
        }
        maxCategoryDepth = try env.int("CATALOG_MAX_CATEGORY_DEPTH", default: 8, range: 1...32)
    }

    /// Every variable `init(environment:)` reads (`SHOP_CURRENCY` is shared with order and payment).
    public static let settingNames = ["SHOP_CURRENCY", "CATALOG_MAX_CATEGORY_DEPTH"]
}
