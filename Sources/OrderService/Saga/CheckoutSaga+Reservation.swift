import Contracts
import Foundation

/// `PENDING_RESERVATION` and `AWAITING_PAYMENT`: inventory's replies and the reservation-reply deadline
/// (happy path steps 2–3, C1, C2, C5).
extension CheckoutSaga {
    static func stockReserved(_ event: StockReserved, _ draft: inout SagaDraft) -> SagaDecision {
        if draft.facts.reserved { return draft.ignore("duplicate StockReserved") }
        switch draft.status {
        case .pendingReservation:
            draft.facts.reserved = true
            draft.facts.reservationId = event.reservationId
            draft.order.paymentDueBy = event.expiresAt
            enterAwaitingPayment(&draft)
            return draft.finish("stock reserved")
        case .cancellationPending, .cancelled:
            // C3: the reservation landed after the order gave up on it; release it (again). A release sent
            // earlier is answered on its own; this one is not awaited, its reply is a no-op.
            draft.facts.reserved = true
            draft.facts.reservationId = event.reservationId
            draft.send(.releaseStock(ReleaseStock(orderId: draft.order.id, reason: releaseReason(draft.order))))
            return draft.finish("late reservation released")
        default:
            return draft.ignore("StockReserved")
        }
    }

    /// C1: any line short. Nothing was reserved (all-or-nothing), so there is nothing to compensate.
    static func reservationRejected(_ event: StockReservationRejected, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .pendingReservation else { return draft.ignore("StockReservationRejected") }
        draft.order.cancelReason = .outOfStock
        draft.facts.stockUndone = true
        draft.enter(.cancelled)
        draft.emit(.cancelled(OrderCancelled(orderId: draft.order.id, reason: CancelReason.outOfStock.rawValue, refundRequired: false)))
        return draft.finish("reservation rejected: \(event.reason)")
    }

    /// The reservation now lasts longer (`ExtendReservation` on payment start): `paymentDueBy` moves.
    static func reservationExtended(_ event: StockReservationExtended, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .awaitingPayment || draft.status == .paymentProcessing else {
            return draft.ignore("StockReservationExtended")
        }
        draft.order.paymentDueBy = event.expiresAt
        return draft.finish("payment due by \(event.expiresAt)")
    }

    /// C5: inventory's sweeper released the reservation. Before a payment started there is nothing left to
    /// undo, so the order is cancelled at once; with a payment in flight it is voided first. API.md's
    /// reason, `RESERVATION_TIMEOUT`, wins over DOMAIN.md's `PAYMENT_TIMEOUT`.
    static func reservationExpired(_ draft: inout SagaDraft) -> SagaDecision {
        switch draft.status {
        case .awaitingPayment, .paymentProcessing:
            draft.facts.stockUndone = true
            return startCancellation(.reservationTimeout, &draft)
        default:
            return draft.ignore("StockReservationExpired")
        }
    }

    /// C2: no reply to `ReserveStock`. Resend it (inventory answers a resend with the first outcome) a few
    /// times, then give up and release whatever may have been reserved.
    static func reservationReplyDue(_ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .pendingReservation else { return draft.ignore("reservation-reply deadline") }
        guard draft.facts.reserveResends < draft.settings.reservationResends else {
            return startCancellation(.systemTimeout, &draft)
        }
        draft.facts.reserveResends += 1
        draft.send(reserveStock(draft.order, draft.settings))
        draft.arm(.reservationReply, after: draft.settings.reservationReplyTimeout)
        return draft.finish("ReserveStock resent (\(draft.facts.reserveResends))")
    }

    // MARK: Shared steps

    /// Every entry into `AWAITING_PAYMENT` tells payment the order is payable (again, after a retryable
    /// decline): its projection accepts a new attempt only then.
    static func enterAwaitingPayment(_ draft: inout SagaDraft) {
        draft.enter(.awaitingPayment)
        draft.emit(.awaitingPayment(OrderAwaitingPayment(orderId: draft.order.id, userId: draft.order.userId,
                                                         total: draft.order.total,
                                                         paymentDueBy: draft.order.paymentDueBy ?? draft.now)))
    }

    static func reserveStock(_ order: SagaOrder, _ settings: SagaSettings) -> SagaCommand {
        .reserveStock(ReserveStock(orderId: order.id, lines: order.productQuantities, ttlSeconds: settings.reservationTTLSeconds))
    }

    static func releaseReason(_ order: SagaOrder) -> String {
        order.cancelReason?.rawValue ?? "CANCELLED"
    }
}
