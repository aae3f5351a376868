import Contracts
import Foundation

/// The checkout saga as a pure function (DOMAIN.md §4.4–§4.5, API.md §4.3): the order and one message in,
/// the new order, the commands, the order events and the deadline out. No I/O, no clock: `now` is given.
///
/// The phases live in their own files: `+Reservation` (until payment starts), `+Payment` (the pivot),
/// `+Fulfilment` (after the pivot: commit, ship, deliver, return), `+Cancellation` (compensations),
/// `+Refund` (money back, C13), `+Requests` (customer and operator).
///
/// Choices where the spec leaves room (each explained where it is made):
/// * a cancellation ends in `CANCELLED` when nothing was captured, else in `REFUND_PENDING`, and emits
///   `OrderCancelled` (`refundRequired` = money captured) when it ends either way;
/// * `RefundPayment` is sent exactly on entering `REFUND_PENDING` (and on a retry or redrive);
/// * after the pivot `CancelShipment` goes alone first; a rejection withdraws the cancellation (→ `SHIPPED`);
/// * C5 before payment and C15 need no acknowledgement: they pass through in one message;
/// * C8 compensates at once (no re-reservation);
/// * a capture is never dropped silently: in `AWAITING_PAYMENT` it counts as in `PAYMENT_PROCESSING`, and a
///   second capture of another payment sets `stuck` with an alert.
public enum CheckoutSaga {
    /// Decides what `message` does to `order`. Every (status, message) pair the diagram does not list is
    /// `.ignored` (a logged no-op), never an error.
    public static func decide(_ message: SagaMessage, for order: SagaOrder, now: Date, settings: SagaSettings) -> SagaDecision {
        var draft = SagaDraft(order: order, now: now, settings: settings)
        switch message {
        case .stockReserved(let event): return stockReserved(event, &draft)
        case .stockReservationRejected(let event): return reservationRejected(event, &draft)
        case .stockReservationExtended(let event): return reservationExtended(event, &draft)
        case .stockReservationReleased: return acknowledged(.stockReleased, &draft)
        case .stockReservationExpired: return reservationExpired(&draft)
        case .stockCommitted: return stockCommitted(&draft)
        case .stockCommitFailed(let event): return stockCommitFailed(event, &draft)
        case .stockReturned: return acknowledged(.stockReturned, &draft)
        case .paymentInitiated(let event): return paymentInitiated(event, &draft)
        case .paymentSucceeded(let event): return paymentSucceeded(event, &draft)
        case .paymentFailed(let event): return paymentFailed(event, &draft)
        case .paymentVoided(let event): return paymentVoided(event, &draft)
        case .paymentRefunded(let event): return paymentRefunded(event, &draft)
        case .refundFailed(let event): return refundFailed(event, &draft)
        case .shipmentCreated(let event): return shipmentCreated(event, &draft)
        case .shipmentCreationFailed(let event): return shipmentCreationFailed(event, &draft)
        case .shipmentLabelCreated(let event): return shipmentLabelCreated(event, &draft)
        case .shipmentDispatched(let event): return shipmentDispatched(event, &draft)
        case .shipmentDelivered(let event): return shipmentDelivered(event, &draft)
        case .shipmentDeliveryFailed(let event):
            guard event.final else { return draft.ignore("a delivery attempt failed; the carrier tries again") }
            return shipmentCameBack(reason: "DELIVERY_FAILED", &draft)
        case .shipmentReturnedToSender: return shipmentCameBack(reason: "RETURNED_TO_SENDER", &draft)
        case .shipmentCancelled: return acknowledged(.shipmentCancelled, &draft)
        case .shipmentCancellationRejected(let event): return shipmentCancellationRejected(event, &draft)
        case .customerCancel: return customerCancel(&draft)
        case .customerReturn(let reason): return customerReturn(reason: reason, &draft)
        case .returnReceived: return returnReceived(&draft)
        case .operatorRedrive: return operatorRedrive(&draft)
        case .deadline(let kind):
            switch kind {
            case .reservationReply: return reservationReplyDue(&draft)
            case .paymentReply: return paymentReplyDue(&draft)
            case .returnWindow: return returnWindowElapsed(&draft)
            case .refundRetry: return refundRetryDue(&draft)
            case .shipmentRetry: return shipmentRetryDue(&draft)
            }
        }
    }

    /// The order's first decision, taken in `POST /orders`' transaction: `OrderPlaced`, `ReserveStock` and
    /// the reservation-reply deadline.
    public static func place(_ order: SagaOrder, placed: OrderPlaced, now: Date, settings: SagaSettings) -> SagaDecision {
        SagaDecision(order: order, entered: [SagaDecision.Step(.pendingReservation)], commands: [.reserveStock(ReserveStock(orderId: order.id, lines: order.productQuantities,
                                                                         ttlSeconds: settings.reservationTTLSeconds))],
                     events: [.placed(placed)],
                     deadline: .set(SagaDeadline(.reservationReply, dueAt: now.addingTimeInterval(settings.reservationReplyTimeout))),
                     outcome: .transition(from: .pendingReservation, to: .pendingReservation))
    }
}
