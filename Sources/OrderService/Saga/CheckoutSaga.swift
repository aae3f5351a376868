import Contracts
import Foundation

/// The checkout saga as a pure function (DOMAIN.md §4.4–§4.5, API.md §4.3): the order and one message in,
/// the new order, the commands, the order events and the deadline out. No I/O, no clock: `now` is given.
public enum CheckoutSaga {
    /// Decides what `message` does to `order`. Every (status, message) pair the diagram does not list is
    /// `.ignored` (a logged no-op), never an error.
    public static func decide(_ message: SagaMessage, for order: SagaOrder, now: Date, settings: SagaSettings) -> SagaDecision {
        SagaDecision(order: order, outcome: .ignored("not implemented yet"))
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
