import BrokerClient
import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

@testable import ShippingService

/// The saga's commands through a real broker: each delivered twice (the same event id, as a redelivery
/// after a consumer crash) and mixed with the HTTP form has one effect; replies are read back from
/// `shipping.shipment.v1`.
@Suite(.serialized) struct CommandConsumerTests {
    /// A broker process, the service in process consuming from it, and a publisher.
    static func withBroker(_ body: (ShippingServerFixture, TestEventPublisher, String) async throws -> Void) async throws {
        let broker = try await BrokerProcess()
        defer { broker.shutdown() }
        // `shop up` creates every topic before the services start; a consumer that subscribes to a topic
        // that does not exist yet is assigned nothing until the next rebalance.
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        let admin = BrokerAdmin(cluster: cluster)
        try await admin.createTopic(Topics.shippingCommands, partitions: 3)
        try await admin.createTopic(Topics.inventoryStock, partitions: 2)
        try await admin.createTopic(Topics.shippingShipment, partitions: 3)
        await cluster.shutdown()
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "order")
        do {
            try await ShippingServerFixture.run(brokerBootstrap: broker.bootstrap) { fixture in
                try await body(fixture, publisher, broker.bootstrap)
            }
        } catch {
            await publisher.close()
            throw error
        }
        await publisher.close()
    }

    /// The event types published for `orderId`, in order.
    static func published(_ orderId: String, bootstrap: String) async throws -> [TopicReader.Event] {
        try await TopicReader.readAll(topic: Topics.shippingShipment, bootstrap: bootstrap).filter { $0.key == orderId }
    }

    static func types(_ events: [TopicReader.Event]) -> [String] { events.compactMap { $0.headers["event-type"] } }

    static func command(orderId: String, userId: String, country: String = "GB", method: ShippingMethod = .standard) -> CreateShipment {
        CreateShipment(orderId: orderId, userId: userId, method: method,
                       shipTo: AddressSnapshot(recipientName: "Ada Lovelace", line1: "12 St James's Square", city: "London",
                                               postalCode: "SW1Y 4JH", country: country),
                       lines: [ProductQuantity(productId: ShippingFixture.newId(), quantity: 1)])
    }

    @Test func commandsDeliveredTwiceAndMixedWithHTTPHaveOneEffect() async throws {
        try await Self.withBroker { fixture, publisher, bootstrap in
            let admin = try await fixture.adminToken()
            let userId = ShippingFixture.newId()
            let httpFirst = ShippingFixture.newId(), commandFirst = ShippingFixture.newId()

            // Order 1: HTTP first, then the command twice (a redelivery) and once more re-sent by the saga.
            let scheduled = try await fixture.schedule(ShippingServerFixture.scheduleBody(orderId: httpFirst, userId: userId),
                                                       bearer: try await fixture.writerToken())
            #expect(scheduled.status == 201)
            let redelivered = ShippingFixture.newId()
            try await publisher.publish(Self.command(orderId: httpFirst, userId: userId, method: .express), eventId: redelivered)
            try await publisher.publish(Self.command(orderId: httpFirst, userId: userId, method: .express), eventId: redelivered)
            try await publisher.publish(Self.command(orderId: httpFirst, userId: userId, method: .express))
            // Then cancelled, twice: it is keyed like the creates, so it is applied after them.
            let cancel = ShippingFixture.newId()
            try await publisher.publish(CancelShipment(orderId: httpFirst, reason: "CUSTOMER_REQUEST"), eventId: cancel)
            try await publisher.publish(CancelShipment(orderId: httpFirst, reason: "CUSTOMER_REQUEST"), eventId: cancel)

            // Order 2: the command twice, then HTTP.
            let create = try await publisher.publish(Self.command(orderId: commandFirst, userId: userId), correlationId: commandFirst)
            try await publisher.publish(Self.command(orderId: commandFirst, userId: userId), eventId: create, correlationId: commandFirst)

            try await eventually("both commands of order 2 applied", timeout: .seconds(60)) {
                try await fixture.client.get("/shipping/track/\(commandFirst)", bearer: admin).status == 200
            }
            let again = try await fixture.schedule(ShippingServerFixture.scheduleBody(orderId: commandFirst, userId: userId),
                                                   bearer: try await fixture.writerToken())
            #expect(again.status == 200 && again.data?["method"]?.stringValue == "STANDARD")

            try await eventually("order 1's replies published", timeout: .seconds(60)) {
                try await Self.types(Self.published(httpFirst, bootstrap: bootstrap)).contains(ShipmentCancelled.eventType)
            }
            let tracked = try await fixture.client.get("/shipping/track/\(httpFirst)", bearer: try await fixture.userToken(userId))
            #expect(tracked.data?["status"]?.stringValue == "CANCELLED")
            #expect(Self.types(try await Self.published(httpFirst, bootstrap: bootstrap))
                == [ShipmentCreated.eventType, ShipmentLabelCreated.eventType, ShipmentCancelled.eventType])

            try await eventually("order 2's replies published", timeout: .seconds(60)) {
                try await Self.published(commandFirst, bootstrap: bootstrap).count >= 2
            }
            let replies = try await Self.published(commandFirst, bootstrap: bootstrap)
            #expect(Self.types(replies) == [ShipmentCreated.eventType, ShipmentLabelCreated.eventType])
            // The replies name the command that caused them and keep the saga's correlation.
            #expect(replies.allSatisfy { $0.headers["causation-id"] == create && $0.headers["correlation-id"] == commandFirst })
        }
    }

    @Test func refusedDestinationsRejectedCancellationsAndPickLists() async throws {
        try await Self.withBroker { fixture, publisher, bootstrap in
            let admin = try await fixture.adminToken()
            let userId = ShippingFixture.newId()

            // A refused destination, delivered twice: one final failure, no shipment.
            let refused = ShippingFixture.newId()
            let refusal = try await publisher.publish(Self.command(orderId: refused, userId: userId, country: "AQ"))
            try await publisher.publish(Self.command(orderId: refused, userId: userId, country: "AQ"), eventId: refusal)

            // A dispatched parcel cannot be cancelled; its pick list arrives from inventory.
            let dispatchedOrder = ShippingFixture.newId()
            let shipmentId = try await fixture.scheduledShipment(userId: userId, orderId: dispatchedOrder)
            let dispatched = try await fixture.postEvent(shipmentId, ["carrierEventId": "ev-1", "status": "DISPATCHED"],
                                                         bearer: try await fixture.carrierToken())
            #expect(dispatched.status == 201)
            try await publisher.publish(CancelShipment(orderId: dispatchedOrder, reason: "CUSTOMER_REQUEST"))
            let warehouseId = ShippingFixture.newId(), productId = ShippingFixture.newId()
            try await publisher.publish(StockCommitted(orderId: dispatchedOrder, reservationId: ShippingFixture.newId(),
                                                       lines: [.init(productId: productId, warehouseId: warehouseId, quantity: 1)],
                                                       committedAt: Date()))
            // A stock event that is not for shipping is skipped without harm.
            try await publisher.publish(StockLevelChanged(productId: productId, onHand: 9, reserved: 0, available: 9, changedAt: Date()))

            try await eventually("the pick list arrived", timeout: .seconds(60)) {
                let shipment = try await fixture.client.get("/shipping/shipments/\(shipmentId)", bearer: admin)
                return shipment.data?["pickList"]?.arrayValue?.count == 1
            }
            let shipment = try await fixture.client.get("/shipping/shipments/\(shipmentId)", bearer: admin)
            #expect(shipment.data?["status"]?.stringValue == "DISPATCHED")
            #expect(shipment.data?["pickList"]?.arrayValue?.first?["warehouseId"]?.stringValue == warehouseId)

            try await eventually("the rejection published", timeout: .seconds(60)) {
                try await Self.types(Self.published(dispatchedOrder, bootstrap: bootstrap)).contains(ShipmentCancellationRejected.eventType)
            }
            #expect(Self.types(try await Self.published(dispatchedOrder, bootstrap: bootstrap))
                == [ShipmentCreated.eventType, ShipmentLabelCreated.eventType, ShipmentDispatched.eventType,
                    ShipmentCancellationRejected.eventType])

            // The refused order's commands precede everything above on the command topic's partition only
            // if they share it; wait for its own reply instead.
            try await eventually("the refusal published", timeout: .seconds(60)) {
                try await !Self.published(refused, bootstrap: bootstrap).isEmpty
            }
            // Sentinel: a cancel for the same order (same partition) is applied after both deliveries.
            try await publisher.publish(CancelShipment(orderId: refused, reason: "SHIPPING_FAILED"))
            try await eventually("the sentinel applied", timeout: .seconds(60)) {
                try await Self.types(Self.published(refused, bootstrap: bootstrap)).contains(ShipmentCancelled.eventType)
            }
            let replies = try await Self.published(refused, bootstrap: bootstrap)
            #expect(Self.types(replies) == [ShipmentCreationFailed.eventType, ShipmentCancelled.eventType])
            let failure = try EventCoding.decoder().decode(ShipmentCreationFailed.self, from: try #require(replies.first).value)
            #expect(failure.reason == "DESTINATION_REFUSED" && failure.retryable == false)
            #expect(try await fixture.client.get("/shipping/track/\(refused)", bearer: admin).status == 404)
        }
    }
}
