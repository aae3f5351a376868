import Contracts
import Foundation

/// `PAYMENT_PROCESSING` and the pivot (happy path steps 4–5, C4, C6, C7, C15). Payment messages name their
/// payment: an answer about an older attempt than the order's latest is stale and ignored, except a
/// capture, which is money and is never dropped.
extension CheckoutSaga {
    static func paymentInitiated(_ event: PaymentInitiated, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .awaitingPayment else { return draft.ignore("PaymentInitiated") }
        // The attempt that just failed, redelivered: it must not reopen processing.
        if draft.order.paymentId == event.paymentId { return draft.ignore("PaymentInitiated of a settled attempt") }
        draft.order.paymentId = event.paymentId
        draft.enter(.paymentProcessing)
        if !draft.facts.extensionRequested {
            // 3-D Secure may take minutes: extend once per order, bounded by inventory.
            draft.facts.extensionRequested = true
            draft.send(.extendReservation(ExtendReservation(orderId: draft.order.id)))
        }
        draft.arm(.paymentReply, after: draft.settings.paymentTimeout)
        return draft.finish("payment \(event.paymentId) started")
    }

    static func paymentSucceeded(_ event: PaymentSucceeded, _ draft: inout SagaDraft) -> SagaDecision {
        if draft.facts.captured != nil {
            guard event.paymentId != draft.facts.capturedPaymentId else { return draft.ignore("duplicate PaymentSucceeded") }
            // A second capture for one order (payment keeps one open payment per order, so this should not
            // happen): money the saga cannot account for. Flag it for an admin refund, never drop it silently.
            draft.order.stuck = true
            draft.raise("order \(draft.order.id) has a second capture, \(event.paymentId) of \(event.captured): refund it by hand")
            return draft.finish("second capture flagged")
        }
        switch draft.status {
        case .paymentProcessing, .awaitingPayment:
            // AWAITING_PAYMENT is off the diagram (PaymentInitiated comes first on the same partition), but a
            // capture is money: it takes the same path rather than being dropped.
            draft.order.paymentId = event.paymentId
            draft.facts.captured = event.captured
            draft.facts.capturedPaymentId = event.paymentId
            guard event.captured == draft.order.total else { return amountMismatch(event, &draft) }
            return enterPaid(event, &draft)
        case .cancellationPending, .cancelled:
            // C7: the capture lost the race with the cancellation. Refund it; the order never reopens.
            draft.order.paymentId = event.paymentId
            draft.facts.captured = event.captured
            draft.facts.capturedPaymentId = event.paymentId
            draft.facts.awaiting.remove(.paymentVoided)  // captured, so the void will not come
            if draft.status == .cancellationPending { emitCancelled(&draft) }
            enterRefundPending(reason: "LATE_CAPTURE", &draft)
            return draft.finish("late capture refunded")
        default:
            return draft.ignore("PaymentSucceeded")
        }
    }

    /// The pivot: from here on steps are retried, and undo is a refund.
    private static func enterPaid(_ event: PaymentSucceeded, _ draft: inout SagaDraft) -> SagaDecision {
        let order = draft.order
        draft.enter(.paid)
        draft.emit(.paid(OrderPaid(orderId: order.id, paymentId: event.paymentId, amount: event.captured)))
        draft.facts.commitRequested = true
        draft.send(.commitStock(CommitStock(orderId: order.id)))
        draft.facts.shipmentRequested = true
        draft.facts.shipmentAttempts = 1
        draft.send(createShipment(order))
        advanceFulfilment(&draft)
        return draft.finish("paid")
    }

    /// C15: the captured amount is not the total. Never `PAID`: refund exactly what was captured, release
    /// the reservation (not awaited: the money decides), flag the order and page.
    private static func amountMismatch(_ event: PaymentSucceeded, _ draft: inout SagaDraft) -> SagaDecision {
        draft.order.stuck = true
        draft.order.cancelReason = .paymentFailed
        draft.raise("payment \(event.paymentId) captured \(event.captured), the order's total is \(draft.order.total): refunding the capture")
        if !draft.facts.stockUndone {
            draft.send(.releaseStock(ReleaseStock(orderId: draft.order.id, reason: CancelReason.paymentFailed.rawValue)))
        }
        emitCancelled(&draft)
        enterRefundPending(reason: "AMOUNT_MISMATCH", &draft)
        return draft.finish("amount mismatch")
    }

    static func paymentFailed(_ event: PaymentFailed, _ draft: inout SagaDraft) -> SagaDecision {
        guard event.paymentId == draft.order.paymentId else { return draft.ignore("PaymentFailed of another attempt") }
        switch draft.status {
        case .paymentProcessing:
            draft.order.paymentAttempts += 1
            if event.failureCode == "FRAUD_SUSPECTED" {
                return startCancellation(.fraudSuspected, &draft)
            }
            guard event.retryable, draft.order.paymentAttempts < draft.settings.maxPaymentAttempts else {
                return startCancellation(.paymentFailed, &draft)
            }
            // C4: the reservation is kept, the customer may try again until paymentDueBy.
            enterAwaitingPayment(&draft)
            return draft.finish("payment declined (\(event.failureCode)), attempt \(draft.order.paymentAttempts)")
        case .cancellationPending:
            // The payment ended without money: that settles a requested void as well as PaymentVoided would.
            return acknowledged(.paymentVoided, &draft)
        default:
            return draft.ignore("PaymentFailed")
        }
    }

    static func paymentVoided(_ event: PaymentVoided, _ draft: inout SagaDraft) -> SagaDecision {
        guard event.paymentId == draft.order.paymentId else { return draft.ignore("PaymentVoided of another attempt") }
        return acknowledged(.paymentVoided, &draft)
    }

    /// C6: no final answer from payment in time. Void the attempt and release the stock; a capture that
    /// still lands goes to C7.
    static func paymentReplyDue(_ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .paymentProcessing else { return draft.ignore("payment-reply deadline") }
        return startCancellation(.paymentTimeout, &draft)
    }

    static func createShipment(_ order: SagaOrder) -> SagaCommand {
        .createShipment(CreateShipment(orderId: order.id, userId: order.userId, method: .standard,
                                       shipTo: order.shippingAddress, lines: order.productQuantities))
    }
}
