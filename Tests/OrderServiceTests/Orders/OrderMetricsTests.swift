import Contracts
import Foundation
import GRDB
import Testing

@testable import OrderService

/// The counts behind the order gauges on /metrics (the checkout funnel and stuck orders).
@Suite struct OrderMetricsTests {
    @Test func countsByStatusReasonAndStuckWithTheOldestOrderInFlight() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let first = try await fixture.insertOrder()
        fixture.clock.advance(by: 60)
        let stuck = try await fixture.insertOrder()
        let cancelled = try await fixture.insertOrder()
        let now = fixture.clock.now
        try await fixture.database.write { db in
            try OrderStore.markStuck(orderId: stuck.id, now: now, db)
            try db.execute(sql: "UPDATE orders SET status = 'CANCELLED', cancel_reason = 'OUT_OF_STOCK' WHERE id = ?", arguments: [cancelled.id])
        }
        let counts = try await fixture.database.read { db in try OrderStore.counts(db) }
        #expect(counts.byStatus == [.pendingReservation: 2, .cancelled: 1])
        #expect(counts.cancelledByReason == [.outOfStock: 1])
        #expect(counts.stuck == 1)
        let oldest = try #require(counts.oldestInFlightUpdate)
        #expect(abs(oldest.timeIntervalSince(first.placedAt)) < 0.001)
    }

    @Test func anEmptyDatabaseCountsNothing() async throws {
        let fixture = try OrderFixture.make()
        defer { fixture.removeFiles() }
        let counts = try await fixture.database.read { db in try OrderStore.counts(db) }
        #expect(counts.byStatus.isEmpty && counts.cancelledByReason.isEmpty && counts.stuck == 0)
        #expect(counts.oldestInFlightUpdate == nil)
    }
}
