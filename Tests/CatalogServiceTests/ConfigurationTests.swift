import Contracts
import ServiceKit
import Testing

@testable import CatalogService

@Suite("Configuration: SHOP_CURRENCY and CATALOG_* settings")
struct ConfigurationTests {
    @Test func defaultsWorkWithoutAnySetting() throws {
        let configuration = try CatalogConfiguration(environment: [:])
        #expect(configuration.currency == .EUR && configuration.maxCategoryDepth == 8)
    }

    @Test func settingsAreReadAndRangeChecked() throws {
        let configuration = try CatalogConfiguration(environment: ["SHOP_CURRENCY": "GBP", "CATALOG_MAX_CATEGORY_DEPTH": "3"])
        #expect(configuration.currency == .GBP && configuration.maxCategoryDepth == 3)
        for bad in [["SHOP_CURRENCY": "XYZ"], ["SHOP_CURRENCY": "eur"], ["CATALOG_MAX_CATEGORY_DEPTH": "0"],
                    ["CATALOG_MAX_CATEGORY_DEPTH": "33"], ["CATALOG_MAX_CATEGORY_DEPTH": "deep"]] {
            #expect(throws: ConfigError.self, "\(bad)") { try CatalogConfiguration(environment: bad) }
        }
        #expect(Set(CatalogServer.settingNames) == ["SHOP_CURRENCY", "CATALOG_MAX_CATEGORY_DEPTH"])
    }

    @Test func pricesFollowTheConfiguredCurrency() async throws {
        let fixture = try CatalogFixture.make { $0.currency = .GBP }
        defer { fixture.removeFiles() }
        let product = try await fixture.catalog.createProduct(NewProduct(sku: "GB-1", name: "Tea", priceMinor: 250, currencyCode: "GBP"))
        #expect(product.price == Money(amountMinor: 250, currency: .GBP))
        #expect(await catalogError { try await fixture.product("EU-1") } == .currencyNotAccepted(given: "EUR", accepted: .GBP))
    }
}
