import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit

/// What shipping consumes, applied inside the consumer runner's transaction (its inbox makes a redelivered
/// message a no-op; the store's order-id guards make a re-sent command one too):
/// - `shipping.commands`: `CreateShipment`, `CancelShipment` from the order saga;
/// - `inventory.stock.v1`: `StockCommitted` → the order's pick list. Other stock events are not ours.
struct ShippingEventHandler: Sendable {
    let shipping: Shipping
    let logger: Logger

    static let topics = [Topics.shippingCommands, Topics.inventoryStock]

    func apply(_ event: ReceivedEvent, _ db: Database) throws {
        let metadata = EventMetadata(correlationId: event.correlationId ?? event.aggregateId, causationId: event.eventId,
                                     traceparent: event.traceparent)
        switch event.eventType {
        case CreateShipment.eventType:
            let command = try event.decode(CreateShipment.self)
            let outcome = try shipping.handle(command, metadata: metadata, db)
            if case .failed(let failure) = outcome {
                logger.notice("no shipment for the order", metadata: ["orderId": "\(command.orderId)", "reason": "\(failure.reason)",
                                                                      "detail": "\(failure.reasonDetail)"])
            }
        case CancelShipment.eventType:
            let command = try event.decode(CancelShipment.self)
            if case .rejected(let status) = try shipping.handle(command, metadata: metadata, db) {
                logger.notice("cancellation refused: the parcel already left",
                              metadata: ["orderId": "\(command.orderId)", "status": "\(status.rawValue)"])
            }
        case StockCommitted.eventType:
            try ShippingStore.recordPickList(try event.decode(StockCommitted.self), db)
        default:
            // Other events of inventory's stream (levels, reservations), or a command of a newer schema
            // this version does not know: not an error, nothing to do.
            if event.topic == Topics.shippingCommands {
                logger.warning("unknown command type ignored", metadata: ["eventType": "\(event.eventType)", "eventId": "\(event.eventId)"])
            }
        }
    }
}
