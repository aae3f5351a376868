import Contracts
import Foundation
import GRDB
import ServiceKit

/// `order.order.v1` → the payable-order projection, one function per event type. Runs inside the
/// consumer runner's transaction (with the inbox row and the offset); other order events are not
/// payment's business and are skipped.
enum OrderEventHandlers {
    static func apply(_ event: ReceivedEvent, now: Date, in db: Database) throws {
        switch event.eventType {
        case OrderPlaced.eventType:
            try PaymentStore.applyOrderPlaced(try event.decode(OrderPlaced.self), now: now, in: db)
        case OrderAwaitingPayment.eventType:
            try PaymentStore.applyOrderAwaitingPayment(try event.decode(OrderAwaitingPayment.self), now: now, in: db)
        case OrderPaid.eventType:
            try PaymentStore.applyOrderPaid(try event.decode(OrderPaid.self), now: now, in: db)
        case OrderCancelled.eventType:
            try PaymentStore.applyOrderCancelled(try event.decode(OrderCancelled.self), now: now, in: db)
        default:
            break
        }
    }
}
