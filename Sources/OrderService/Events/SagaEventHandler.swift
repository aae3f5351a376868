import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit

/// The participants' replies and facts (API.md §8: `inventory.stock.v1`, `payment.payment.v1`,
/// `shipping.shipment.v1`), turned into saga messages and applied inside the consumer runner's transaction
/// (its inbox row makes a redelivery a no-op). Stock-level events of inventory's stream and payment events
/// the saga does not take are not ours.
struct SagaEventHandler: Sendable {
    let orders: Orders

    static let topics = [Topics.inventoryStock, Topics.paymentPayment, Topics.shippingShipment]

    func apply(_ event: ReceivedEvent, _ db: Database) throws {
        guard let (orderId, message) = try Self.message(event) else { return }
        let metadata = EventMetadata(correlationId: orderId, causationId: event.eventId, traceparent: event.traceparent)
        try orders.handle(message, orderId: orderId, metadata: metadata, db)
    }

    /// The saga message an event is, with its order id; nil for events the saga does not take.
    static func message(_ event: ReceivedEvent) throws -> (String, SagaMessage)? {
        switch event.eventType {
        case StockReserved.eventType: let e = try event.decode(StockReserved.self); return (e.orderId, .stockReserved(e))
        case StockReservationRejected.eventType:
            let e = try event.decode(StockReservationRejected.self); return (e.orderId, .stockReservationRejected(e))
        case StockReservationExtended.eventType:
            let e = try event.decode(StockReservationExtended.self); return (e.orderId, .stockReservationExtended(e))
        case StockReservationReleased.eventType:
            let e = try event.decode(StockReservationReleased.self); return (e.orderId, .stockReservationReleased(e))
        case StockReservationExpired.eventType:
            let e = try event.decode(StockReservationExpired.self); return (e.orderId, .stockReservationExpired(e))
        case StockCommitted.eventType: let e = try event.decode(StockCommitted.self); return (e.orderId, .stockCommitted(e))
        case StockCommitFailed.eventType: let e = try event.decode(StockCommitFailed.self); return (e.orderId, .stockCommitFailed(e))
        case StockReturned.eventType: let e = try event.decode(StockReturned.self); return (e.orderId, .stockReturned(e))
        case PaymentInitiated.eventType: let e = try event.decode(PaymentInitiated.self); return (e.orderId, .paymentInitiated(e))
        case PaymentSucceeded.eventType: let e = try event.decode(PaymentSucceeded.self); return (e.orderId, .paymentSucceeded(e))
        case PaymentFailed.eventType: let e = try event.decode(PaymentFailed.self); return (e.orderId, .paymentFailed(e))
        case PaymentVoided.eventType: let e = try event.decode(PaymentVoided.self); return (e.orderId, .paymentVoided(e))
        case PaymentRefunded.eventType: let e = try event.decode(PaymentRefunded.self); return (e.orderId, .paymentRefunded(e))
        case RefundFailed.eventType: let e = try event.decode(RefundFailed.self); return (e.orderId, .refundFailed(e))
        case ShipmentCreated.eventType: let e = try event.decode(ShipmentCreated.self); return (e.orderId, .shipmentCreated(e))
        case ShipmentCreationFailed.eventType:
            let e = try event.decode(ShipmentCreationFailed.self); return (e.orderId, .shipmentCreationFailed(e))
        case ShipmentLabelCreated.eventType:
            let e = try event.decode(ShipmentLabelCreated.self); return (e.orderId, .shipmentLabelCreated(e))
        case ShipmentDispatched.eventType: let e = try event.decode(ShipmentDispatched.self); return (e.orderId, .shipmentDispatched(e))
        case ShipmentDelivered.eventType: let e = try event.decode(ShipmentDelivered.self); return (e.orderId, .shipmentDelivered(e))
        case ShipmentDeliveryFailed.eventType:
            let e = try event.decode(ShipmentDeliveryFailed.self); return (e.orderId, .shipmentDeliveryFailed(e))
        case ShipmentReturnedToSender.eventType:
            let e = try event.decode(ShipmentReturnedToSender.self); return (e.orderId, .shipmentReturnedToSender(e))
        case ShipmentCancelled.eventType: let e = try event.decode(ShipmentCancelled.self); return (e.orderId, .shipmentCancelled(e))
        case ShipmentCancellationRejected.eventType:
            let e = try event.decode(ShipmentCancellationRejected.self); return (e.orderId, .shipmentCancellationRejected(e))
        default:
            return nil
        }
    }
}
