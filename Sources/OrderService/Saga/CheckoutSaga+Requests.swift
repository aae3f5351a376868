import Contracts
import Foundation

/// Customer and operator requests (API.md §4.2). A refusal is HTTP 409 with its message; an `.ignored`
/// cancel is HTTP 200 with the order unchanged (the order is already being or has been cancelled).
extension CheckoutSaga {
    static func customerCancel(_ draft: inout SagaDraft) -> SagaDecision {
        switch draft.status {
        case .pendingReservation, .awaitingPayment:
            return startCancellation(.customerRequest, &draft)  // C3
        case .paid, .fulfilling:
            // C10, allowed before dispatch. A dispatch already recorded (seen before the order reached
            // FULFILLING) means the parcel has left: shipping would reject the cancel anyway.
            guard draft.facts.dispatchedAt == nil else {
                return draft.refuse("The order has been dispatched: request a return after delivery.")
            }
            return startCancellation(.customerRequest, &draft)
        case .paymentProcessing:
            return draft.refuse("A payment is in flight: retry when it has settled.")
        case .shipped, .delivered, .completed, .returnRequested, .returned:
            return draft.refuse("The order has shipped and can no longer be cancelled: request a return after delivery.")
        case .refundFailed:
            return draft.refuse("The order's refund failed and is with an operator.")
        case .cancellationPending, .cancelled, .refundPending, .refunded:
            return draft.ignore("already cancelled or being cancelled")
        }
    }

    /// C12, within the return window (the window's deadline moves the order to `COMPLETED`).
    static func customerReturn(reason: String, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .delivered else {
            return draft.refuse(draft.status == .completed
                ? "The return window has elapsed." : "Only a delivered order can be returned.")
        }
        let order = draft.order
        draft.facts.returnReason = reason
        draft.enter(.returnRequested, reason: reason)
        draft.emit(.returnRequested(OrderReturnRequested(orderId: order.id, lines: order.productQuantities, reason: reason,
                                                         requestedAt: draft.now)))
        return draft.finish("return requested")
    }

    static func returnReceived(_ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .returnRequested else { return draft.refuse("No return was requested for this order.") }
        enterReturned(reason: draft.facts.returnReason ?? "CUSTOMER_RETURN", &draft)
        return draft.finish("return received")
    }

    /// C14: the operator fixed the cause. Clear `stuck` and re-issue what the current status waits for;
    /// every command is idempotent at its participant, so a re-issue is safe.
    static func operatorRedrive(_ draft: inout SagaDraft) -> SagaDecision {
        draft.order.stuck = false
        let order = draft.order
        switch draft.status {
        case .pendingReservation:
            draft.send(reserveStock(order, draft.settings))
            draft.arm(.reservationReply, after: draft.settings.reservationReplyTimeout)
        case .paid:
            if !draft.facts.stockCommitted, !draft.facts.stockCommitFailed {
                draft.send(.commitStock(CommitStock(orderId: order.id)))
            }
            if !draft.facts.shipmentCreated, !draft.facts.shipmentFailed {
                draft.facts.shipmentRetryDue = false
                draft.send(createShipment(order))
            }
        case .cancellationPending:
            let reason = releaseReason(order)
            for ack in SagaFacts.Ack.allCases where draft.facts.awaiting.contains(ack) {
                switch ack {
                case .stockReleased: draft.send(.releaseStock(ReleaseStock(orderId: order.id, reason: reason)))
                case .paymentVoided:
                    if let paymentId = order.paymentId {
                        draft.send(.voidPayment(VoidPayment(orderId: order.id, paymentId: paymentId, reason: reason)))
                    }
                case .shipmentCancelled: draft.send(.cancelShipment(CancelShipment(orderId: order.id, reason: reason)))
                case .stockReturned:
                    draft.send(.returnStock(ReturnStock(orderId: order.id, lines: order.productQuantities, reason: reason)))
                }
            }
        case .refundPending:
            if draft.facts.refundRetryDue {
                draft.facts.refundRetryDue = false
                sendNewRefund(&draft)
            } else {
                resendRefund(&draft)
            }
        case .refundFailed:
            draft.facts.refundFailures = 0
            sendNewRefund(&draft)
        default:
            break
        }
        return draft.finish("redriven")
    }
}
