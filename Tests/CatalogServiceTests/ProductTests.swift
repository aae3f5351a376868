import Contracts
import Foundation
import Testing

@testable import CatalogService

@Suite("Products: creation, updates, status transitions and their events")
struct ProductTests {
    @Test func createStoresTheProductAndItsEventTogether() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let shirts = try await fixture.category("T-shirts")
        let created = try await fixture.product("TS-RED-M", name: "  Red T-shirt ", description: "Cotton", price: 1999,
                                                categories: [shirts.id, shirts.id])
        #expect(created.name == "Red T-shirt")
        #expect(created.categoryIds == [shirts.id])
        #expect(created.version == 1 && created.status == .active && created.availability == nil)
        #expect(CatalogID.isCanonical(created.id))

        let read = try await fixture.catalog.product(id: created.id, includeDrafts: false)
        #expect(read == created)

        let events = try await fixture.outbox().filter { $0.topic == Topics.catalogProduct }
        #expect(events.map(\.eventType) == ["ProductCreated"])
        let event = try events[0].decode(ProductCreated.self)
        #expect(event.productId == created.id && event.price == Money(amountMinor: 1999, currency: .EUR))
        #expect(events[0].aggregateId == created.id)
    }

    @Test func skuIsUniqueIgnoringCase() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        try await fixture.product("TS-RED-M")
        #expect(await catalogError { try await fixture.product("ts-red-m") } == .skuTaken("ts-red-m"))
        #expect(try await fixture.outbox().count == 1)
    }

    @Test func otherCurrenciesAndUnknownCategoriesAreRefusedWithoutAWrite() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let usd = NewProduct(sku: "A-1", name: "A", priceMinor: 100, currencyCode: "USD")
        #expect(await catalogError { try await fixture.catalog.createProduct(usd) } == .currencyNotAccepted(given: "USD", accepted: .EUR))
        let unknown = "0193a1b2-0000-7000-8000-00000000ffff"
        #expect(await catalogError { try await fixture.product("A-1", categories: [unknown, "not-a-uuid"]) }
                == .unknownCategories([unknown, "not-a-uuid"]))
        #expect(try await fixture.outbox().isEmpty)
    }

    @Test func fieldRulesAreAllReportedAtOnce() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let bad = NewProduct(sku: "has space", name: "", description: String(repeating: "x", count: 10_001),
                             priceMinor: -1, currencyCode: "EUR", categoryIds: Array(repeating: "x", count: 21), status: .discontinued)
        guard case .validation(let errors) = await catalogError({ try await fixture.catalog.createProduct(bad) }) else {
            Issue.record("expected a validation error")
            return
        }
        #expect(Set(errors.map(\.field)) == ["sku", "name", "description", "price.amountMinor", "categoryIds", "status"])
    }

    @Test func priceChangePublishesProductPriceChangedAndBumpsTheVersion() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("P-1", price: 1000)
        fixture.clock.advance(by: 5)
        let updated = try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1, priceMinor: 1500))
        #expect(updated.version == 2 && updated.price.amountMinor == 1500)
        #expect(updated.updatedAt > product.updatedAt && updated.createdAt == product.createdAt)
        let events = try await fixture.outbox()
        #expect(events.map(\.eventType) == ["ProductCreated", "ProductPriceChanged"])
        let changed = try events[1].decode(ProductPriceChanged.self)
        #expect(changed.oldPrice.amountMinor == 1000 && changed.newPrice.amountMinor == 1500 && changed.version == 2)
    }

    @Test func staleVersionIsAConflictNamingTheCurrentVersion() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("P-1")
        _ = try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1, name: "New"))
        let error = await catalogError {
            try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1, name: "Newer"))
        }
        #expect(error == .versionConflict(what: "product", current: 2))
        #expect(error?.apiError.message.contains("current version 2") == true)
        #expect(try await fixture.catalog.product(id: product.id, includeDrafts: true).name == "New")
    }

    @Test func aChangeThatChangesNothingIsRefused() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let product = try await fixture.product("P-1", name: "Same", price: 100)
        #expect(await catalogError {
            try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1, name: "Same", priceMinor: 100))
        } == .nothingToChange)
        if case .validation(let errors)? = await catalogError({
            try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1))
        }) {
            #expect(errors.map(\.field) == ["body"])
        } else {
            Issue.record("an empty change must be a validation error")
        }
    }

    @Test(arguments: [
        (ProductStatus.draft, ProductStatus.active, true), (.active, .discontinued, true), (.discontinued, .active, true),
        (.draft, .discontinued, false), (.active, .draft, false), (.discontinued, .draft, false),
    ])
    func statusTransitions(from: ProductStatus, to: ProductStatus, allowed: Bool) async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        var product = try await fixture.product("P-1", status: from == .draft ? .draft : .active)
        if from == .discontinued {
            product = try await fixture.catalog.updateProduct(id: product.id, change: ProductChange(expectedVersion: 1, status: .discontinued))
        }
        let change = ProductChange(expectedVersion: product.version, status: to)
        if allowed {
            let updated = try await fixture.catalog.updateProduct(id: product.id, change: change)
            #expect(updated.status == to)
        } else {
            #expect(await catalogError { try await fixture.catalog.updateProduct(id: product.id, change: change) }
                    == .statusChangeNotAllowed(from: from, to: to))
        }
    }

    @Test func discontinueAndReactivateHaveTheirOwnEvents() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let draft = try await fixture.product("P-1", status: .draft)
        _ = try await fixture.catalog.updateProduct(id: draft.id, change: ProductChange(expectedVersion: 1, status: .active))
        _ = try await fixture.catalog.updateProduct(id: draft.id, change: ProductChange(expectedVersion: 2, status: .discontinued))
        _ = try await fixture.catalog.updateProduct(id: draft.id, change: ProductChange(expectedVersion: 3, status: .active))
        let events = try await fixture.outbox()
        #expect(events.map(\.eventType) == ["ProductCreated", "ProductUpdated", "ProductDiscontinued", "ProductReactivated"])
        #expect(try events[1].decode(ProductUpdated.self).changedFields == ["status"])
        #expect(try events[3].decode(ProductReactivated.self).version == 4)
    }

    @Test func draftsAreHiddenFromNonAdminsAndMalformedIdsAreUnknown() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let draft = try await fixture.product("P-1", status: .draft)
        #expect(await catalogError { try await fixture.catalog.product(id: draft.id, includeDrafts: false) } == .productNotFound)
        #expect(try await fixture.catalog.product(id: draft.id, includeDrafts: true).status == .draft)
        #expect(await catalogError { try await fixture.catalog.product(id: draft.id.uppercased(), includeDrafts: true) } == .productNotFound)
        #expect(await catalogError { try await fixture.catalog.product(id: "../etc", includeDrafts: true) } == .productNotFound)
    }

    @Test func descriptionCanBeClearedAndCategoriesReplaced() async throws {
        let fixture = try CatalogFixture.make()
        defer { fixture.removeFiles() }
        let a = try await fixture.category("A"), b = try await fixture.category("B")
        let product = try await fixture.product("P-1", description: "Old", categories: [a.id])
        let updated = try await fixture.catalog.updateProduct(
            id: product.id, change: ProductChange(expectedVersion: 1, description: .some(nil), categoryIds: [b.id, a.id]))
        #expect(updated.description == nil && updated.categoryIds == [b.id, a.id])
        let read = try await fixture.catalog.product(id: product.id, includeDrafts: false)
        #expect(read.description == nil && read.categoryIds == [b.id, a.id])
        let event = try await fixture.outbox().last?.decode(ProductUpdated.self)
        #expect(event?.changedFields == ["description", "categoryIds"])
    }
}
