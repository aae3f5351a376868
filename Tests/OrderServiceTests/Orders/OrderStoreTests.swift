import Contracts
import Foundation
import GRDB
import ServiceKit
import Testing

@testable import OrderService

@Suite("Order store: placement rows, the version guard, lists, deadlines")
struct OrderStoreTests {
    @Test func aPlacedOrderReadsBackWithItsHistoryOutboxAndDeadline() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let order = try await fixture.insertOrder(quantity: 3, unitMinor: 250)
        let read = try #require(try await fixture.database.read { db in try OrderStore.fetchOrder(orderId: order.id, db) })
        #expect(read.saga == order.saga)
        #expect(read.subtotal.amountMinor == 750)
        #expect(read.customer == order.customer)
        #expect(read.history.map(\.status) == [.pendingReservation])
        #expect(try await fixture.outboxTypes() == ["OrderPlaced", "ReserveStock"])
        let deadline = try await fixture.database.read { db in try OrderStore.deadline(orderId: order.id, db) }
        #expect(deadline?.kind == .reservationReply)
    }

    @Test func aDecisionOnAStaleVersionWritesNothing() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let order = try await fixture.insertOrder()
        var moved = order.saga
        moved.status = .awaitingPayment
        let decision = SagaDecision(order: moved, entered: [SagaDecision.Step(.awaitingPayment)], outcome: .transition(from: .pendingReservation, to: .awaitingPayment))
        let now = fixture.clock.now
        try await fixture.database.write { db in try OrderStore.apply(decision, to: order.saga, metadata: EventMetadata(), now: now, db) }
        // The same decision again on the version it was taken on: the row has moved on.
        await #expect(throws: OrderError.versionConflict(orderId: order.id)) {
            try await fixture.database.write { db in try OrderStore.apply(decision, to: order.saga, metadata: EventMetadata(), now: now, db) }
        }
        let read = try #require(try await fixture.database.read { db in try OrderStore.fetchOrder(orderId: order.id, db) })
        #expect(read.saga.version == 2)
        #expect(read.history.map(\.status) == [.pendingReservation, .awaitingPayment])
    }

    @Test func listsPageNewestFirstAndCursorsAreBoundToTheirFilters() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let buyer = OrderFixture.newId()
        var placed: [(at: Date, id: String)] = []
        for index in 0..<25 {
            fixture.clock.advance(by: index % 3 == 0 ? 0 : 1)  // some share a placedAt: the id breaks the tie
            let order = try await fixture.insertOrder(userId: buyer)
            placed.append((order.placedAt, order.id))
            try await fixture.insertOrder()  // someone else's
        }
        var seen: [String] = []
        var query = OrderListQuery()
        query.userId = buyer
        query.limit = 10
        for _ in 0..<5 {
            let page = try await fixture.orders.list(query)
            seen += page.items.map(\.id)
            guard let next = page.next else { break }
            let cursor = OrderListCursor.encode(next, query: query)
            query.after = OrderListCursor.decode(cursor, query: query)
            #expect(query.after != nil)
            var other = query
            other.statuses = [.cancelled]
            #expect(OrderListCursor.decode(cursor, query: other) == nil)
        }
        // Newest first; within one millisecond the id decides.
        #expect(seen == placed.sorted { ($0.at, $0.id) > ($1.at, $1.id) }.map(\.id))
        #expect(Set(seen).count == 25)
        #expect(OrderListCursor.decode("not-a-cursor", query: query) == nil)
    }

    @Test func markStuckSetsTheFlagOnce() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let order = try await fixture.insertOrder()
        let now = fixture.clock.now
        try await fixture.database.write { db in
            try OrderStore.markStuck(orderId: order.id, now: now, db)
            try OrderStore.markStuck(orderId: order.id, now: now, db)
        }
        let read = try #require(try await fixture.database.read { db in try OrderStore.fetchSaga(orderId: order.id, db) })
        #expect(read.stuck)
        #expect(read.version == 2)
        var query = OrderListQuery()
        query.stuck = true
        #expect(try await fixture.orders.list(query).items.map(\.id) == [order.id])
    }

    @Test func onlyDueDeadlinesFireAndEachFiresOnce() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let order = try await fixture.insertOrder()
        #expect(try await fixture.orders.fireDueDeadlines() == 0)
        fixture.clock.advance(by: fixture.orders.settings.reservationReplyTimeout + 1)
        #expect(try await fixture.orders.fireDueDeadlines() == 1)
        // Whatever the saga decided, the fired deadline is gone or replaced by a later one.
        let after = try await fixture.database.read { db in try OrderStore.deadline(orderId: order.id, db) }
        if let after { #expect(after.dueAt > fixture.clock.now) }
    }

    @Test func placingWithAnEmptyCartIsRefusedAndWritesNothing() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let placement = Orders.Placement(userId: OrderFixture.newId(), idempotencyKey: "k1", shippingAddress: OrderFixture.address,
                                         billingAddress: OrderFixture.address, email: nil)
        let orders = fixture.orders
        await #expect(throws: OrderError.cartEmpty) {
            try await fixture.database.write { db in _ = try orders.place(placement, metadata: EventMetadata(), db) }
        }
        #expect(try await fixture.outboxTypes().isEmpty)
    }
}
