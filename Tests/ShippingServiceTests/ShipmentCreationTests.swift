import Contracts
import Foundation
import ServiceKit
import Testing

@testable import ShippingService

/// Creating shipments (one per order, priced and dated by the carrier, a refused destination answered
/// once) and cancelling them, against a real SQLite file.
@Suite struct ShipmentCreationTests {
    @Test(arguments: [(ShippingMethod.standard, Int64(499), 3.0), (.express, 999, 1.0)])
    func aNewShipmentHasItsLabelAtOnce(method: ShippingMethod, cost: Int64, days: Double) async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let request = ShippingFixture.request(method: method)
        let record = try await fixture.createShipment(request)
        let shipment = record.shipment
        #expect(shipment.status == .labelCreated && shipment.version == 1)
        #expect(shipment.orderId == request.orderId && shipment.userId == request.userId)
        #expect(shipment.carrier == "SIMCARRIER")
        #expect(shipment.trackingNumber?.hasPrefix("SIM") == true && shipment.trackingNumber?.count == 15)
        #expect(shipment.cost == Money(amountMinor: cost, currency: .EUR))
        #expect(shipment.estimatedDeliveryAt == fixture.clock.now.addingTimeInterval(days * 86_400))
        #expect(shipment.shipTo == request.shipTo && shipment.lines == request.lines)
        #expect(record.events.map(\.status) == [.labelCreated])

        let outbox = try await fixture.outbox()
        #expect(outbox.map(\.eventType) == [ShipmentCreated.eventType, ShipmentLabelCreated.eventType])
        #expect(outbox.allSatisfy { $0.aggregateId == request.orderId && $0.topic == Topics.shippingShipment })
        let created = try outbox[0].decode(ShipmentCreated.self)
        #expect(created.shipmentId == shipment.id && created.method == method && created.cost.amountMinor == cost)
        let label = try outbox[1].decode(ShipmentLabelCreated.self)
        #expect(label.trackingNumber == shipment.trackingNumber && label.carrier == "SIMCARRIER")
    }

    @Test func theSameOrderTwiceIsOneShipmentAndTheFirstBodyWins() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let first = ShippingFixture.request(method: .standard)
        let record = try await fixture.createShipment(first)
        var second = ShippingFixture.request(orderId: first.orderId.uppercased(), method: .express, country: "FR")
        second.userId = first.userId
        guard case .existing(let again) = try await fixture.shipping.schedule(second, metadata: EventMetadata()) else {
            Issue.record("a second shipment was created")
            return
        }
        #expect(again == record)
        #expect(again.shipment.method == .standard && again.shipment.shipTo.country == "GB")
        #expect(try await fixture.outbox().count == 2)
    }

    @Test func aRefusedDestinationIsFinalAndAnnouncedOnce() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let request = ShippingFixture.request(country: SimulatedCarrier.refusedCountry)
        let error = await shippingError { try await fixture.shipping.schedule(request, metadata: EventMetadata()) }
        guard case .destinationRefused(let country, _) = error else {
            Issue.record("expected destinationRefused, got \(String(describing: error))")
            return
        }
        #expect(country == "AQ" && error?.apiError.status.code == 422)
        #expect(try await fixture.shipping.store.record(orderId: request.orderId) == nil)
        let outbox = try await fixture.outbox()
        #expect(outbox.map(\.eventType) == [ShipmentCreationFailed.eventType])
        let failure = try outbox[0].decode(ShipmentCreationFailed.self)
        #expect(failure.orderId == request.orderId && failure.reason == "DESTINATION_REFUSED" && failure.retryable == false)
    }

    @Test func anInvalidCommandIsAFinalFailureNotARetry() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        var request = ShippingFixture.request()
        request.lines = []
        request.shipTo.country = "gb"
        let command = CreateShipment(orderId: request.orderId, userId: request.userId, method: .standard, shipTo: request.shipTo,
                                     lines: request.lines)
        let outcome = try await fixture.inTransaction { db in try fixture.shipping.handle(command, metadata: EventMetadata(), db) }
        guard case .failed(let failure) = outcome else {
            Issue.record("an invalid command created \(outcome)")
            return
        }
        #expect(failure.reason == "INVALID_REQUEST" && !failure.retryable)
        #expect(failure.reasonDetail.contains("lines") && failure.reasonDetail.contains("shipTo.country"))
        #expect(try await fixture.outbox().map(\.eventType) == [ShipmentCreationFailed.eventType])
    }

    @Test func validationNamesEveryBadField() {
        var request = ShippingFixture.request(orderId: "not-a-uuid")
        request.shipTo.recipientName = ""
        request.shipTo.country = "GBR"
        request.lines = [ProductQuantity(productId: "x", quantity: 0)]
        let fields = Set(request.problems().map(\.field))
        #expect(fields == ["orderId", "shipTo.recipientName", "shipTo.country", "lines[0].productId", "lines[0].quantity"])
    }

    @Test func cancellingBeforeDispatchAfterDispatchAndTwice() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let cancelled = try await fixture.createShipment()
        let dispatched = try await fixture.createShipment()
        try await fixture.post(.dispatched, to: dispatched.shipment.id)
        let before = try await fixture.outbox().count

        func cancel(_ orderId: String) async throws -> CancelOutcome {
            try await fixture.inTransaction { db in
                try fixture.shipping.handle(CancelShipment(orderId: orderId, reason: "CUSTOMER_REQUEST"), metadata: EventMetadata(), db)
            }
        }
        #expect(try await cancel(cancelled.shipment.orderId) == .cancelled(shipmentId: cancelled.shipment.id))
        #expect(try await cancel(cancelled.shipment.orderId) == .alreadyCancelled)
        #expect(try await cancel(dispatched.shipment.orderId) == .rejected(status: .dispatched))

        let after = try #require(try await fixture.shipping.store.record(shipmentId: cancelled.shipment.id))
        #expect(after.shipment.status == .cancelled && after.events.map(\.status) == [.labelCreated, .cancelled])
        #expect(try await fixture.shipping.store.record(shipmentId: dispatched.shipment.id)?.shipment.status == .dispatched)
        let published = try await fixture.outbox().dropFirst(before)
        #expect(published.map(\.eventType) == [ShipmentCancelled.eventType, ShipmentCancellationRejected.eventType])
        let rejection = try #require(published.last).decode(ShipmentCancellationRejected.self)
        #expect(rejection.status == .dispatched && rejection.shipmentId == dispatched.shipment.id)
    }

    @Test func anOrderCancelledBeforeItsShipmentIsNeverShipped() async throws {
        let fixture = try ShippingFixture.make()
        defer { fixture.removeFiles() }
        let request = ShippingFixture.request()
        let outcome = try await fixture.inTransaction { db in
            try fixture.shipping.handle(CancelShipment(orderId: request.orderId, reason: "OUT_OF_STOCK"), metadata: EventMetadata(), db)
        }
        #expect(outcome == .cancelled(shipmentId: nil))
        let error = await shippingError { try await fixture.shipping.schedule(request, metadata: EventMetadata()) }
        #expect(error == .orderCancelled(orderId: request.orderId))
        let outbox = try await fixture.outbox()
        #expect(outbox.map(\.eventType) == [ShipmentCancelled.eventType, ShipmentCreationFailed.eventType])
        #expect(try outbox[1].decode(ShipmentCreationFailed.self).reason == "ORDER_CANCELLED")
    }
}
