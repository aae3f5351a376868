import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// A reservation past its TTL is released by the sweeper and announced exactly once.
struct ExpiryTests {
    @Test func theSweeperExpiresAndAnnouncesOnce() async throws {
        try await InventoryFixture.with(broker: true, environment: ["INVENTORY_RESERVATION_TTL_SECONDS": "1", "INVENTORY_EXPIRY_SWEEP_MS": "200"]) { f in
            let main = try await f.createWarehouse("MAIN")
            let product = InventoryFixture.newId()
            try await f.receive(product, in: main, 3)
            let order = InventoryFixture.newId()
            #expect(try await f.reserve(order, [(product, 2)]).status == 201)

            try await eventually("the reservation expires", timeout: .seconds(60), every: .milliseconds(100)) {
                try await f.client.get("/inventory/reservations/\(order)", bearer: f.reader).data?["status"]?.stringValue == "EXPIRED"
            }
            #expect(try await f.level(product).reserved == 0)
            // A later reservation expiring proves the sweeper kept running after the first expiry.
            let later = InventoryFixture.newId()
            #expect(try await f.reserve(later, [(product, 1)]).status == 201)
            try await eventually("the later expiry is announced", timeout: .seconds(60), every: .milliseconds(250)) {
                try await !f.stockEvents(StockReservationExpired.self, key: later).isEmpty
            }
            let announced = try await f.stockEvents(StockReservationExpired.self, key: order)
            #expect(announced.count == 1)
            #expect(try await f.stockEvents(StockReserved.self, key: order).count == 1)
            #expect(try await f.level(product).reserved == 0)
        }
    }
}
