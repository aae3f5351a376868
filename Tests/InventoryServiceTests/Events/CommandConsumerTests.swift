import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// The saga's commands and the catalog's product events through a real broker into the running service.
struct CommandConsumerTests {
    @Test func everyCommandDeliveredTwiceHasOneEffect() async throws {
        try await InventoryFixture.with(broker: true) { f in
            let publisher = try TestEventPublisher(bootstrap: f.brokerAddress)
            let main = try await f.createWarehouse("MAIN")
            let product = InventoryFixture.newId()
            try await f.receive(product, in: main, 10)
            let kept = InventoryFixture.newId(), dropped = InventoryFixture.newId()
            let line = [ProductQuantity(productId: product, quantity: 3)]

            /// Publishes `command` twice with one event id: a redelivery.
            func twice<C: DomainEvent>(_ command: C) async throws {
                let id = EventID.make()
                try await publisher.publish(command, eventId: id, correlationId: command.aggregateId)
                try await publisher.publish(command, eventId: id, correlationId: command.aggregateId)
            }
            try await twice(ReserveStock(orderId: kept, lines: line))
            try await twice(ReserveStock(orderId: dropped, lines: [ProductQuantity(productId: product, quantity: 2)]))
            try await twice(ExtendReservation(orderId: kept))
            try await twice(CommitStock(orderId: kept))
            try await twice(ReturnStock(orderId: kept, lines: [ProductQuantity(productId: product, quantity: 1)], reason: "RETURN"))
            try await twice(ReleaseStock(orderId: dropped, reason: "CUSTOMER_REQUEST"))

            try await eventually("the last replies are published", timeout: .seconds(60), every: .milliseconds(250)) {
                let returned = try await f.stockEvents(StockReturned.self, key: kept)
                let released = try await f.stockEvents(StockReservationReleased.self, key: dropped)
                return !returned.isEmpty && !released.isEmpty
            }
            let level = try await f.level(product)
            #expect(level.onHand == 8 && level.reserved == 0)
            #expect(try await f.stockEvents(StockReserved.self, key: kept).count == 1)
            #expect(try await f.stockEvents(StockReservationExtended.self, key: kept).count == 1)
            #expect(try await f.stockEvents(StockCommitted.self, key: kept).count == 1)
            #expect(try await f.stockEvents(StockReturned.self, key: kept).map { $0.lines.map(\.quantity) } == [[1]])
            #expect(try await f.stockEvents(StockReserved.self, key: dropped).count == 1)
            #expect(try await f.stockEvents(StockReservationReleased.self, key: dropped).map(\.lines.count) == [1])
            let reservation = try await f.client.get("/inventory/reservations/\(kept)", bearer: f.admin)
            #expect(reservation.data?["status"]?.stringValue == "COMMITTED" && reservation.data?["extended"]?.boolValue == true)

            // A resend with a new event id (the saga's deadline) answers with the first outcome, reserving nothing more.
            try await publisher.publish(ReserveStock(orderId: dropped, lines: [ProductQuantity(productId: product, quantity: 2)]))
            try await eventually("the resend is answered", timeout: .seconds(60), every: .milliseconds(250)) {
                try await f.stockEvents(StockReserved.self, key: dropped).count == 2
            }
            #expect(Set(try await f.stockEvents(StockReserved.self, key: dropped).map(\.reservationId)).count == 1)
            #expect(try await f.level(product).reserved == 0)
            await publisher.close()
        }
    }

    @Test func productsKnownFromTheCatalogShowZeros() async throws {
        try await InventoryFixture.with(broker: true) { f in
            let publisher = try TestEventPublisher(bootstrap: f.brokerAddress)
            let product = InventoryFixture.newId()
            #expect(try await f.client.get("/inventory/\(product)", bearer: f.customer).status == 404)
            try await publisher.publish(ProductCreated(productId: product, sku: "TS-RED-M", name: "Red T-shirt", description: nil,
                                                       price: Money(amountMinor: 1999, currency: .EUR), categoryIds: [], status: "ACTIVE",
                                                       version: 1, createdAt: Date()))
            try await publisher.publish(ProductDiscontinued(productId: product, reason: "end of line", version: 2, at: Date()))
            try await eventually("the product is known", timeout: .seconds(60), every: .milliseconds(100)) {
                try await f.client.get("/inventory/\(product)", bearer: f.customer).status == 200
            }
            let level = try await f.client.get("/inventory/\(product)", bearer: f.customer)
            #expect(level.data?["onHand"]?.intValue == 0 && level.data?["available"]?.intValue == 0)
            #expect(level.data?["warehouses"]?.arrayValue?.isEmpty == true)
            // A reserve command with broken lines is answered, so the saga can cancel.
            let order = InventoryFixture.newId()
            try await publisher.publish(ReserveStock(orderId: order, lines: []))
            try await eventually("the invalid command is answered", timeout: .seconds(60), every: .milliseconds(250)) {
                try await f.stockEvents(StockReservationRejected.self, key: order).map(\.reason) == ["INVALID_REQUEST"]
            }
            await publisher.close()
        }
    }
}
