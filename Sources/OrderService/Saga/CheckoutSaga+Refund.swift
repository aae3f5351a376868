import Contracts
import Foundation

/// `REFUND_PENDING → REFUNDED`, and C13's retries. A `RefundPayment` goes out exactly when the order enters
/// `REFUND_PENDING` (and again on a retry or a redrive). Each carries `<orderId>-refund-<n>`: payment
/// refunds a re-sent request once, and a retry after a failure takes the next n.
extension CheckoutSaga {
    static func enterRefundPending(reason: String, _ draft: inout SagaDraft) {
        draft.facts.refundReason = reason
        draft.facts.refundFailures = 0
        draft.facts.refundRetryDue = false
        draft.enter(.refundPending)
        sendNewRefund(&draft)
    }

    static func paymentRefunded(_ event: PaymentRefunded, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .refundPending || draft.status == .refundFailed, let captured = draft.facts.captured,
              event.paymentId == draft.facts.capturedPaymentId, event.refundedTotal.currency == captured.currency else {
            return draft.ignore("PaymentRefunded")
        }
        // Cumulative, so a late or repeated event never lowers what we know (C12's partial refunds add up).
        draft.facts.refundedMinor = max(draft.facts.refundedMinor, event.refundedTotal.amountMinor)
        guard event.fullyRefunded || draft.facts.refundedMinor >= captured.amountMinor else {
            return draft.finish("refunded \(draft.facts.refundedMinor) of \(captured.amountMinor)")
        }
        draft.facts.refundRetryDue = false
        draft.enter(.refunded)
        draft.emit(.refunded(OrderRefunded(orderId: draft.order.id, paymentId: event.paymentId,
                                           amount: Money(amountMinor: draft.facts.refundedMinor, currency: captured.currency),
                                           refundId: event.refundId, refundedAt: event.refundedAt)))
        return draft.finish("refunded")
    }

    /// C13: retry after `refundRetryDelay`, `maxRefundAttempts` requests in all; then `REFUND_FAILED`,
    /// `stuck` and a page (a compensation of a compensation is for a human; an admin refund closes it).
    static func refundFailed(_ event: RefundFailed, _ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .refundPending || draft.status == .refundFailed,
              event.paymentId == draft.facts.capturedPaymentId,
              event.refundRequestId == currentRefundRequestId(draft.order), !draft.facts.refundRetryDue else {
            // Another request's failure (an admin's, or one already retried) says nothing about ours.
            return draft.ignore("RefundFailed")
        }
        if draft.status == .refundFailed {
            guard !draft.order.stuck else { return draft.ignore("RefundFailed while already stuck") }
            draft.order.stuck = true
            draft.raise("redriven refund failed again (\(event.failureCode))")
            return draft.finish("refund failed again")
        }
        draft.facts.refundFailures += 1
        if draft.facts.refundFailures < draft.settings.maxRefundAttempts {
            draft.facts.refundRetryDue = true
            draft.arm(.refundRetry, after: draft.settings.refundRetryDelay)
            return draft.finish("refund failed (\(event.failureCode)), retry due")
        }
        draft.order.stuck = true
        draft.raise("refund of order \(draft.order.id) failed \(draft.facts.refundFailures) times (\(event.failureCode)): refund it by hand")
        draft.enter(.refundFailed)
        return draft.finish("refund failed for good")
    }

    static func refundRetryDue(_ draft: inout SagaDraft) -> SagaDecision {
        guard draft.status == .refundPending, draft.facts.refundRetryDue else { return draft.ignore("refund-retry deadline") }
        draft.facts.refundRetryDue = false
        sendNewRefund(&draft)
        return draft.finish("refund retried")
    }

    /// A new request (new n): the first one, or a retry after a failure.
    static func sendNewRefund(_ draft: inout SagaDraft) {
        draft.facts.refundRequests += 1
        resendRefund(&draft)
    }

    /// The current request again (same n, so payment refunds at most once): everything not yet refunded.
    static func resendRefund(_ draft: inout SagaDraft) {
        guard let captured = draft.facts.captured, let paymentId = draft.facts.capturedPaymentId else { return }
        let remaining = Money(amountMinor: captured.amountMinor - draft.facts.refundedMinor, currency: captured.currency)
        guard remaining.amountMinor > 0 else { return }
        draft.send(.refundPayment(RefundPayment(orderId: draft.order.id, paymentId: paymentId, amount: remaining,
                                                reason: draft.facts.refundReason ?? releaseReason(draft.order),
                                                refundRequestId: currentRefundRequestId(draft.order))))
    }

    static func currentRefundRequestId(_ order: SagaOrder) -> String {
        "\(order.id)-refund-\(order.facts.refundRequests)"
    }
}
