import Contracts
import Foundation
import GRDB
@testable import InventoryService
import ServiceKit
import ShopTestSupport
import Synchronization

/// An inventory store over a real SQLite file in a temporary directory, with a hand-moved clock.
struct StoreFixture {
    let store: InventoryStore
    let clock: ManualClock
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "inventory-store-" + UUID().uuidString
        clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        store = try InventoryStore.open(path: directory + "/inventory.sqlite", clock: clock.serviceClock)
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func newId() -> String { UUID().uuidString.lowercased() }

    @discardableResult
    func warehouse(_ code: String, priority: Int, active: Bool = true) async throws -> String {
        try await store.createWarehouse(NewWarehouse(code: code, name: "Warehouse \(code)", priority: priority, active: active)).id
    }

    func receive(_ productId: String, in warehouseId: String, _ quantity: Int) async throws {
        _ = try await store.adjust(StockAdjustmentRequest(productId: productId, warehouseId: warehouseId, delta: quantity, reason: .receipt),
                                   actor: "test", metadata: EventMetadata())
    }

    func reserve(_ orderId: String, _ lines: [(String, Int)], ttl: Int? = nil) async throws -> ReservationOutcome {
        try await store.reserve(ReservationRequest(orderId: orderId, lines: lines.map { ProductQuantity(productId: $0.0, quantity: $0.1) },
                                                   ttlSeconds: ttl),
                                defaultTTL: 900, metadata: EventMetadata())
    }

    /// Runs a saga command's store step in its own transaction, as the consumer does.
    func run<T: Sendable>(_ body: @escaping @Sendable (Date, Database) throws -> T) async throws -> T {
        let now = clock.now
        return try await store.database.write { db in try body(now, db) }
    }

    /// Per warehouse: (onHand, reserved).
    func rows(_ productId: String) async throws -> [String: (onHand: Int, reserved: Int)] {
        let level = try await store.stockLevel(productId: productId)
        var rows: [String: (onHand: Int, reserved: Int)] = [:]
        for row in level.rows { rows[row.warehouseId] = (row.onHand, row.reserved) }
        return rows
    }

    struct OutboxEvent {
        var type: String
        var key: String
        var payload: Data
    }

    /// Every event enqueued so far, in order.
    func outbox() async throws -> [OutboxEvent] {
        try await store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT event_type, aggregate_id, payload FROM outbox ORDER BY id").map {
                OutboxEvent(type: $0["event_type"], key: $0["aggregate_id"], payload: $0["payload"])
            }
        }
    }

    func events<E: DomainEvent>(_ type: E.Type) async throws -> [E] {
        try await outbox().filter { $0.type == E.eventType }.map { try EventCoding.decoder().decode(E.self, from: $0.payload) }
    }
}
