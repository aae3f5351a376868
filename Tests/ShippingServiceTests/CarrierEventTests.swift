import Contracts
import Foundation
import ServiceKit
import Testing

@testable import ShippingService

/// Carrier events: dedup by `carrierEventId`, the history in the order applied, dates, and pick lists.
@Suite struct CarrierEventTests {
    @Test func aRepeatedCarrierEventChangesNothing() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let shipment = try await fixture.createShipment().shipment
        let event = CarrierEvent(carrierEventId: "ev-1", status: .dispatched, location: "Leeds hub")
        guard case .applied(let first) = try await fixture.shipping.recordCarrierEvent(event, shipmentId: shipment.id, metadata: EventMetadata()) else {
            Issue.record("the first event was not applied")
            return
        }
        let outbox = try await fixture.outbox().count
        fixture.clock.advance(by: 60)
        // The repeat is recognised even with another status: the id alone decides.
        var repeated = event
        repeated.status = .inTransit
        let second = try await fixture.shipping.recordCarrierEvent(repeated, shipmentId: shipment.id, metadata: EventMetadata())
        #expect(second == .replayed(first))
        #expect(try await fixture.outbox().count == outbox)

        // The same carrier id on another shipment is not a replay of it.
        let other = try await fixture.createShipment().shipment
        let error = await shippingError {
            try await fixture.shipping.recordCarrierEvent(event, shipmentId: other.id, metadata: EventMetadata())
        }
        #expect(error == .carrierEventIdTaken(carrierEventId: "ev-1"))
        #expect(error?.apiError.status.code == 409)
    }

    @Test func trackingIsOldestFirstWithTheCarrierTimes() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let shipment = try await fixture.createShipment().shipment
        let shippedAt = fixture.clock.now.addingTimeInterval(3600)
        let steps: [(CarrierEventStatus, String, Date?)] = [
            (.dispatched, "Leeds hub", shippedAt), (.inTransit, "London depot", nil), (.deliveryFailed, "nobody home", nil),
            (.inTransit, "London depot", nil), (.delivered, "London", shippedAt.addingTimeInterval(86_400)),
        ]
        for (index, (status, location, at)) in steps.enumerated() {
            fixture.clock.advance(by: 10)
            _ = try await fixture.shipping.recordCarrierEvent(
                CarrierEvent(carrierEventId: "ev-\(index)", status: status, location: location, occurredAt: at),
                shipmentId: shipment.id, metadata: EventMetadata())
        }
        let record = try await fixture.shipping.tracking(orderId: shipment.orderId,
                                                         viewer: Principal(subject: shipment.userId, roles: ["customer"], scopes: []))
        #expect(record.events.map(\.status) == [.labelCreated, .dispatched, .inTransit, .deliveryFailed, .inTransit, .delivered])
        #expect(record.events.map(\.location) == ["SIMCARRIER label service", "Leeds hub", "London depot", "nobody home", "London depot", "London"])
        #expect(record.shipment.shippedAt == shippedAt)
        #expect(record.shipment.deliveredAt == shippedAt.addingTimeInterval(86_400))
        #expect(record.shipment.version == 6)
        let failed = try #require(try await fixture.outbox().first { $0.eventType == ShipmentDeliveryFailed.eventType })
        #expect(try failed.decode(ShipmentDeliveryFailed.self).final == false)
    }

    @Test func onlyTheOwnerAndAdminsSeeAShipment() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let shipment = try await fixture.createShipment().shipment
        let owner = Principal(subject: shipment.userId, roles: ["customer"], scopes: [])
        let admin = Principal(subject: ShippingFixture.newId(), roles: ["admin"], scopes: [])
        let stranger = Principal(subject: ShippingFixture.newId(), roles: ["customer"], scopes: [])
        #expect(try await fixture.shipping.shipment(id: shipment.id, viewer: owner).shipment.id == shipment.id)
        #expect(try await fixture.shipping.shipment(id: shipment.id, viewer: admin).shipment.id == shipment.id)
        #expect(await shippingError { try await fixture.shipping.shipment(id: shipment.id, viewer: stranger) }?.apiError.status.code == 404)
        #expect(await shippingError { try await fixture.shipping.tracking(orderId: shipment.orderId, viewer: stranger) }?.apiError.status.code == 404)
        #expect(await shippingError { try await fixture.shipping.shipment(id: "nope", viewer: admin) }?.apiError.status.code == 404)
    }

    @Test func stockCommittedBecomesThePickListOnce() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let request = ShippingFixture.request()
        let warehouses = (ShippingFixture.newId(), ShippingFixture.newId())
        let productId = request.lines[0].productId
        let committed = StockCommitted(orderId: request.orderId, reservationId: ShippingFixture.newId(), lines: [
            .init(productId: productId, warehouseId: warehouses.0, quantity: 1),
            .init(productId: productId, warehouseId: warehouses.1, quantity: 1),
        ], committedAt: fixture.clock.now)
        // Before the shipment exists, and again (another delivery of the same commit).
        try await fixture.inTransaction { db in try ShippingStore.recordPickList(committed, db) }
        let record = try await fixture.createShipment(request)
        try await fixture.inTransaction { db in try ShippingStore.recordPickList(committed, db) }
        let pickList = try #require(try await fixture.shipping.store.record(shipmentId: record.shipment.id)).pickList
        #expect(pickList.count == 2 && pickList.map(\.quantity).reduce(0, +) == 2)
        #expect(Set(pickList.map(\.warehouseId)) == [warehouses.0, warehouses.1])
    }
}
