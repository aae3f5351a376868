import Contracts
import Foundation
import GRDB
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

@testable import CatalogService

/// One catalog core over its own SQLite file (unique per test) and a manual clock.
struct CatalogFixture {
    let catalog: Catalog
    let database: ServiceDatabase
    let clock: ManualClock
    let directory: URL

    var store: CatalogStore { catalog.store }

    static func make(_ configure: (inout CatalogConfiguration) -> Void = { _ in }) throws -> CatalogFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-tests-\(UUID().uuidString.lowercased())")
        let database = try ServiceDatabase(path: directory.appendingPathComponent("catalog.sqlite").path,
                                           migrations: CatalogStore.migrations)
        var configuration = CatalogConfiguration()
        configure(&configuration)
        let clock = ManualClock()
        let catalog = Catalog(store: CatalogStore(database: database), configuration: configuration, clock: clock.serviceClock)
        return CatalogFixture(catalog: catalog, database: database, clock: clock, directory: directory)
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Creates a product with sensible defaults; the clock moves 1 ms so creation times differ.
    @discardableResult
    func product(_ sku: String, name: String? = nil, description: String? = nil, price: Int64 = 1000,
                 categories: [String] = [], status: ProductStatus = .active) async throws -> Product {
        clock.advance(by: 0.001)
        return try await catalog.createProduct(NewProduct(sku: sku, name: name ?? "Product \(sku)", description: description,
                                                          priceMinor: price, currencyCode: "EUR", categoryIds: categories,
                                                          status: status))
    }

    @discardableResult
    func category(_ name: String, parent: String? = nil) async throws -> Category {
        try await catalog.createCategory(name: name, parentId: parent)
    }

    /// The outbox rows in insertion order.
    func outbox() async throws -> [OutboxRow] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id").map { row in
                OutboxRow(topic: row["topic"], eventType: row["event_type"], aggregateId: row["aggregate_id"], payload: row["payload"])
            }
        }
    }

    /// Applies an event through the consumer's handler in one transaction, as the runner does.
    func apply<Event: DomainEvent>(_ event: Event) async throws {
        let payload = try EventCoding.encoder().encode(event)
        let received = try ReceivedEvent(
            topic: Event.topic, partition: 0, offset: 0,
            headers: [EnvelopeHeader.eventId: UUID().uuidString.lowercased(), EnvelopeHeader.eventType: Event.eventType],
            key: event.aggregateId, payload: Array(payload))
        try await database.write { db in try CatalogEvents.apply(received, db) }
    }
}

struct OutboxRow: Sendable {
    var topic: String
    var eventType: String
    var aggregateId: String
    var payload: Data

    func decode<Event: DomainEvent>(_ type: Event.Type) throws -> Event {
        try EventCoding.decoder().decode(type, from: payload)
    }
}

/// Runs `body` and returns the CatalogError it threw (nil when it threw nothing or something else).
func catalogError(_ body: () async throws -> some Any) async -> CatalogError? {
    do {
        _ = try await body()
        return nil
    } catch let error as CatalogError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
