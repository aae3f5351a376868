import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit
import ShopTestSupport

@testable import OrderService

/// The order service's core over its own SQLite file (one per test) with a manual clock.
struct OrderFixture {
    let orders: Orders
    let database: ServiceDatabase
    let clock: ManualClock
    let directory: URL

    static func make(settings: SagaSettings = SagaSettings()) throws -> OrderFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("order-tests-\(UUID().uuidString.lowercased())")
        let database = try ServiceDatabase(path: directory.appendingPathComponent("order.sqlite").path, migrations: OrderStore.migrations)
        let clock = ManualClock()
        let orders = Orders(store: OrderStore(database: database), settings: settings, currency: .EUR, clock: clock.serviceClock,
                            logger: Logger(label: "order-tests"))
        return OrderFixture(orders: orders, database: database, clock: clock, directory: directory)
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }

    static func newId() -> String { Identifier.make() }

    static let address = AddressSnapshot(addressId: newId(), recipientName: "Ada Lovelace", line1: "12 St James's Sq", city: "London",
                                         postalCode: "SW1Y 4JH", country: "GB")

    /// An order as `POST /orders` would insert it, written with the saga's first decision.
    @discardableResult
    func insertOrder(userId: String = newId(), quantity: Int = 2, unitMinor: Int64 = 1999, key: String = newId()) async throws -> Order {
        try await Self.insert(into: orders.store, userId: userId, quantity: quantity, unitMinor: unitMinor, key: key, now: clock.now,
                              settings: orders.settings)
    }

    /// The same into any order store (the in-process server's).
    @discardableResult
    static func insert(into store: OrderStore, userId: String = newId(), quantity: Int = 2, unitMinor: Int64 = 1999, key: String = newId(),
                       now: Date = Date(), settings: SagaSettings = SagaSettings()) async throws -> Order {
        let price = Money(amountMinor: unitMinor, currency: .EUR)
        let lineTotal = Money(amountMinor: unitMinor * Int64(quantity), currency: .EUR)
        let line = OrderLine(productId: Self.newId(), sku: "TS-RED-M", name: "Red T-shirt", quantity: quantity, unitPrice: price,
                             lineTotal: lineTotal)
        let saga = SagaOrder(id: Identifier.make(at: now), userId: userId, status: .pendingReservation, lines: [line], total: lineTotal,
                             shippingAddress: Self.address)
        let order = Order(saga: saga, subtotal: lineTotal, customer: CustomerSnapshot(email: "ada@example.com", name: "Ada Lovelace"),
                          billingAddress: Self.address, placedAt: now, updatedAt: now,
                          history: [Order.HistoryEntry(status: .pendingReservation, at: now, reason: nil)])
        let placed = OrderPlaced(orderId: saga.id, userId: userId, lines: [line], subtotal: lineTotal, total: lineTotal,
                                 shippingAddress: Self.address, billingAddress: Self.address, placedAt: now)
        let decision = CheckoutSaga.place(saga, placed: placed, now: now, settings: settings)
        try await store.database.write { db in
            try OrderStore.insert(order, idempotencyKey: key, decision: decision, metadata: EventMetadata(correlationId: saga.id), now: now, db)
        }
        return order
    }

    /// The outbox's event types in insertion order.
    func outboxTypes() async throws -> [String] {
        try await database.read { db in try String.fetchAll(db, sql: "SELECT event_type FROM outbox ORDER BY id") }
    }
}
