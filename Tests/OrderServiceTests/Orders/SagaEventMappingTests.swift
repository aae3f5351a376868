import Contracts
import Foundation
import ServiceKit
import Testing

@testable import OrderService

@Suite("Participant events become saga messages")
struct SagaEventMappingTests {
    static func received<E: DomainEvent>(_ event: E) throws -> ReceivedEvent {
        let payload = try EventCoding.encoder().encode(event)
        return try ReceivedEvent(topic: E.topic, partition: 0, offset: 0,
                                 headers: [EnvelopeHeader.eventId: Identifier.make(), EnvelopeHeader.eventType: E.eventType],
                                 key: event.aggregateId, payload: Array(payload))
    }

    @Test func repliesOfEachParticipantMapWithTheirOrderId() throws {
        let orderId = Identifier.make()
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let reserved = StockReserved(orderId: orderId, reservationId: "r1", lines: [], expiresAt: at)
        let (id1, m1) = try #require(try SagaEventHandler.message(try Self.received(reserved)))
        #expect(id1 == orderId && m1 == .stockReserved(reserved))

        let succeeded = PaymentSucceeded(orderId: orderId, paymentId: "p1", amount: Money(amountMinor: 5, currency: .EUR),
                                         captured: Money(amountMinor: 5, currency: .EUR), capturedAt: at, pspReference: nil)
        let (id2, m2) = try #require(try SagaEventHandler.message(try Self.received(succeeded)))
        #expect(id2 == orderId && m2 == .paymentSucceeded(succeeded))

        let dispatched = ShipmentDispatched(orderId: orderId, shipmentId: "s1", carrier: "SIMCARRIER", trackingNumber: "T1", shippedAt: at)
        let (id3, m3) = try #require(try SagaEventHandler.message(try Self.received(dispatched)))
        #expect(id3 == orderId && m3 == .shipmentDispatched(dispatched))
    }

    @Test func stockLevelsAreNotTheSagas() throws {
        let level = StockLevelChanged(productId: Identifier.make(), onHand: 5, reserved: 1, available: 4, changedAt: Date())
        #expect(try SagaEventHandler.message(try Self.received(level)) == nil)
    }
}
