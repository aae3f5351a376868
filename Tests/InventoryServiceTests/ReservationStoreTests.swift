import Contracts
import Foundation
import GRDB
@testable import InventoryService
import ServiceKit
import Testing

/// Reservations against a real SQLite file with a hand-moved clock: allocation, all or nothing,
/// idempotency by order id, commit, release, return, extension and expiry, and the events each enqueues.
struct ReservationStoreTests {
    @Test func reservesByPrioritySplitsAndAnnouncesInTheSameTransaction() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let north = try await fixture.warehouse("NORTH", priority: 1)
        let south = try await fixture.warehouse("SOUTH", priority: 2)
        let product = StoreFixture.newId()
        try await fixture.receive(product, in: north, 3)
        try await fixture.receive(product, in: south, 10)

        // 5 fits only in SOUTH: the lowest priority covering the whole line wins over splitting.
        let first = StoreFixture.newId()
        guard case .created(let whole) = try await fixture.reserve(first, [(product, 5)]) else { Issue.record("not created"); return }
        #expect(whole.lines == [StockReservationLine(productId: product, warehouseId: south, quantity: 5)])
        // 7: no warehouse covers it (NORTH 3, SOUTH 5 left), so it is split in priority order.
        let second = StoreFixture.newId()
        guard case .created(let split) = try await fixture.reserve(second, [(product, 7)]) else { Issue.record("not created"); return }
        #expect(Set(split.lines) == [StockReservationLine(productId: product, warehouseId: north, quantity: 3),
                                     StockReservationLine(productId: product, warehouseId: south, quantity: 4)])
        let rows = try await fixture.rows(product)
        #expect(rows[north]?.reserved == 3 && rows[south]?.reserved == 9)

        let reserved = try await fixture.events(StockReserved.self)
        #expect(reserved.map(\.orderId) == [first, second])
        #expect(reserved.first?.expiresAt == fixture.clock.now.addingTimeInterval(900))
        let levels = try await fixture.events(StockLevelChanged.self)
        #expect(levels.last == StockLevelChanged(productId: product, onHand: 13, reserved: 12, available: 1, changedAt: fixture.clock.now))
    }

    @Test func allLinesOrNoneAndTheRejectionNamesEveryShortLine() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let main = try await fixture.warehouse("MAIN", priority: 1)
        let plenty = StoreFixture.newId(), scarce = StoreFixture.newId(), absent = StoreFixture.newId()
        try await fixture.receive(plenty, in: main, 10)
        try await fixture.receive(scarce, in: main, 2)

        let order = StoreFixture.newId()
        let outcome = try await fixture.reserve(order, [(plenty, 4), (scarce, 5), (absent, 1)])
        #expect(outcome == .rejected([
            .init(index: 1, productId: scarce, requested: 5, available: 2),
            .init(index: 2, productId: absent, requested: 1, available: 0),
        ]))
        // Nothing of the covered first line stayed reserved.
        #expect(try await fixture.rows(plenty)[main]?.reserved == 0)
        let rejected = try await fixture.events(StockReservationRejected.self)
        #expect(rejected.count == 1 && rejected.first?.reason == "OUT_OF_STOCK" && rejected.first?.lines.count == 2)
        #expect(try await fixture.events(StockLevelChanged.self).count == 2)  // the two receipts only

        // Asking again gives the first answer, even after restocking: an announced rejection stands.
        try await fixture.receive(scarce, in: main, 10)
        #expect(try await fixture.reserve(order, [(scarce, 5), (absent, 1), (plenty, 4)]) == outcome)
        await #expect(throws: InventoryError.reservationLinesDiffer(orderId: order)) {
            _ = try await fixture.reserve(order, [(plenty, 1)])
        }
    }

    @Test func reservingIsIdempotentByOrderIdAndSkipsInactiveWarehouses() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let closed = try await fixture.warehouse("CLOSED", priority: 0, active: false)
        let open = try await fixture.warehouse("OPEN", priority: 5)
        let product = StoreFixture.newId()
        try await fixture.receive(product, in: closed, 100)
        try await fixture.receive(product, in: open, 3)

        let order = StoreFixture.newId()
        guard case .created(let first) = try await fixture.reserve(order, [(product, 3)]) else { Issue.record("not created"); return }
        #expect(first.lines.map(\.warehouseId) == [open])
        #expect(try await fixture.reserve(order, [(product, 3)]) == .existing(first))
        await #expect(throws: InventoryError.reservationLinesDiffer(orderId: order)) {
            _ = try await fixture.reserve(order, [(product, 2)])
        }
        #expect(try await fixture.rows(product)[open]?.reserved == 3)
        #expect(try await fixture.events(StockReserved.self).count == 1)
        // OPEN is now empty and CLOSED does not count: the next order is refused.
        guard case .rejected(let shortages) = try await fixture.reserve(StoreFixture.newId(), [(product, 1)]) else {
            Issue.record("not rejected"); return
        }
        #expect(shortages.first?.available == 0)
    }

    @Test func commitTakesStockOffHandAndReturnPutsItBack() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let main = try await fixture.warehouse("MAIN", priority: 1)
        let product = StoreFixture.newId()
        try await fixture.receive(product, in: main, 5)
        let order = StoreFixture.newId()
        _ = try await fixture.reserve(order, [(product, 5)])
        #expect(try await fixture.events(ProductOutOfStock.self).count == 1)

        #expect(try await fixture.run { now, db in try InventoryStore.commit(orderId: order, now: now, metadata: EventMetadata(), db) } == .applied)
        #expect(try await fixture.rows(product)[main].map { [$0.onHand, $0.reserved] } == [0, 0])
        // A resent CommitStock answers again and changes nothing; releasing a committed order does nothing.
        #expect(try await fixture.run { now, db in try InventoryStore.commit(orderId: order, now: now, metadata: EventMetadata(), db) } == .repeated)
        #expect(try await fixture.run { now, db in
            try InventoryStore.release(orderId: order, reason: "CUSTOMER_REQUEST", now: now, metadata: EventMetadata(), db)
        } == .ignored(reason: "the reservation was committed; send ReturnStock"))
        let committed = try await fixture.events(StockCommitted.self)
        #expect(committed.count == 2 && Set(committed.map(\.reservationId)).count == 1)

        // Return 2, then "everything": only the 3 not yet returned come back.
        _ = try await fixture.run { now, db in
            try InventoryStore.returnStock(orderId: order, lines: [ProductQuantity(productId: product, quantity: 2)], reason: "RETURN",
                                           now: now, metadata: EventMetadata(), db)
        }
        _ = try await fixture.run { now, db in
            try InventoryStore.returnStock(orderId: order, lines: nil, reason: "RETURN", now: now, metadata: EventMetadata(), db)
        }
        #expect(try await fixture.run { now, db in
            try InventoryStore.returnStock(orderId: order, lines: nil, reason: "RETURN", now: now, metadata: EventMetadata(), db)
        } == .repeated)
        #expect(try await fixture.rows(product)[main].map { [$0.onHand, $0.reserved] } == [5, 0])
        #expect(try await fixture.events(StockReturned.self).map { $0.lines.map(\.quantity) } == [[2], [3], []])
        #expect(try await fixture.events(ProductBackInStock.self).count == 2)  // first receipt, first return
    }

    @Test func releaseFreesStockOnceAndAcknowledgesEveryTime() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let main = try await fixture.warehouse("MAIN", priority: 1)
        let product = StoreFixture.newId()
        try await fixture.receive(product, in: main, 5)
        let order = StoreFixture.newId()
        _ = try await fixture.reserve(order, [(product, 2)])
        let release: @Sendable (String) -> @Sendable (Date, Database) throws -> ReservationCommandOutcome = { id in
            { now, db in try InventoryStore.release(orderId: id, reason: "CUSTOMER_REQUEST", now: now, metadata: EventMetadata(), db) }
        }
        #expect(try await fixture.run(release(order)) == .applied)
        #expect(try await fixture.run(release(order)) == .repeated)
        #expect(try await fixture.run(release(StoreFixture.newId())) == .repeated)
        #expect(try await fixture.rows(product)[main]?.reserved == 0)
        #expect(try await fixture.store.reservation(orderId: order).status == .released)
        #expect(try await fixture.events(StockReservationReleased.self).map(\.lines.count) == [1, 0, 0])
        // A released reservation cannot be committed.
        _ = try await fixture.run { now, db in try InventoryStore.commit(orderId: order, now: now, metadata: EventMetadata(), db) }
        #expect(try await fixture.events(StockCommitFailed.self).map(\.reason) == ["RESERVATION_RELEASED"])
    }

    @Test func oneExtensionThenTheSweeperExpiresOnce() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let main = try await fixture.warehouse("MAIN", priority: 1)
        let product = StoreFixture.newId()
        try await fixture.receive(product, in: main, 5)
        let order = StoreFixture.newId()
        _ = try await fixture.reserve(order, [(product, 2)], ttl: 60)
        let extend: @Sendable (Date, Database) throws -> ReservationCommandOutcome = { now, db in
            try InventoryStore.extend(orderId: order, by: 30, now: now, metadata: EventMetadata(), db)
        }
        #expect(try await fixture.run(extend) == .applied)
        #expect(try await fixture.run(extend) == .repeated)
        let start = fixture.clock.now
        #expect(try await fixture.store.reservation(orderId: order).expiresAt == start.addingTimeInterval(90))
        #expect(try await fixture.events(StockReservationExtended.self).map(\.expiresAt) == [start.addingTimeInterval(90), start.addingTimeInterval(90)])

        fixture.clock.advance(seconds: 89)
        #expect(try await fixture.store.expireDue(limit: 10) == 0)
        fixture.clock.advance(seconds: 1)
        #expect(try await fixture.store.expireDue(limit: 10) == 1)
        #expect(try await fixture.store.expireDue(limit: 10) == 0)
        #expect(try await fixture.store.reservation(orderId: order).status == .expired)
        #expect(try await fixture.rows(product)[main]?.reserved == 0)
        #expect(try await fixture.events(StockReservationExpired.self).map(\.orderId) == [order])
        // Too late to extend or commit.
        #expect(try await fixture.run(extend) == .ignored(reason: "reservation is EXPIRED"))
        _ = try await fixture.run { now, db in try InventoryStore.commit(orderId: order, now: now, metadata: EventMetadata(), db) }
        #expect(try await fixture.events(StockCommitFailed.self).map(\.reason) == ["RESERVATION_EXPIRED"])
    }

    @Test func adjustmentsAndCountsGuardOnHandAgainstReserved() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let main = try await fixture.warehouse("MAIN", priority: 1)
        let product = StoreFixture.newId()
        await #expect(throws: InventoryError.onHandBelowReserved(productId: product, warehouseId: main, onHand: -1, reserved: 0)) {
            _ = try await fixture.store.adjust(StockAdjustmentRequest(productId: product, warehouseId: main, delta: -1, reason: .damage),
                                               actor: nil, metadata: EventMetadata())
        }
        try await fixture.receive(product, in: main, 5)
        _ = try await fixture.reserve(StoreFixture.newId(), [(product, 4)])
        await #expect(throws: InventoryError.onHandBelowReserved(productId: product, warehouseId: main, onHand: 3, reserved: 4)) {
            _ = try await fixture.store.adjust(StockAdjustmentRequest(productId: product, warehouseId: main, delta: -2, reason: .damage),
                                               actor: nil, metadata: EventMetadata())
        }
        await #expect(throws: InventoryError.unknownWarehouse(id: "nope", field: "warehouseId")) {
            _ = try await fixture.store.adjust(StockAdjustmentRequest(productId: product, warehouseId: "nope", delta: 1, reason: .receipt),
                                               actor: nil, metadata: EventMetadata())
        }
        let version = try #require(try await fixture.store.stockLevel(productId: product).rows.first?.version)
        await #expect(throws: InventoryError.versionConflict(what: "stock row", current: version)) {
            _ = try await fixture.store.count(StockCount(productId: product, warehouseId: main, onHand: 9, version: version - 1),
                                              actor: nil, metadata: EventMetadata())
        }
        await #expect(throws: InventoryError.onHandBelowReserved(productId: product, warehouseId: main, onHand: 3, reserved: 4)) {
            _ = try await fixture.store.count(StockCount(productId: product, warehouseId: main, onHand: 3), actor: nil, metadata: EventMetadata())
        }
        let counted = try await fixture.store.count(StockCount(productId: product, warehouseId: main, onHand: 9, version: version),
                                                    actor: nil, metadata: EventMetadata())
        #expect(counted.onHand == 9 && counted.reserved == 4 && counted.version == version + 1)
        let adjusted = try await fixture.events(StockAdjusted.self)
        #expect(adjusted.map(\.reason) == ["RECEIPT", "COUNT"] && adjusted.last?.delta == 4)
    }

    @Test func theCheckConstraintRefusesWhatTheConditionalUpdatesNeverDo() async throws {
        let fixture = try StoreFixture()
        defer { fixture.remove() }
        let main = try await fixture.warehouse("MAIN", priority: 1)
        let product = StoreFixture.newId()
        try await fixture.receive(product, in: main, 2)
        await #expect(throws: DatabaseError.self) {
            try await fixture.store.database.write { db in
                try db.execute(sql: "UPDATE stock SET reserved = 3 WHERE product_id = ?", arguments: [product])
            }
        }
    }
}
