import Contracts
import Foundation
import GRDB
import Logging
import ServiceKit

/// `payment.commands` from the order saga. Each handler only records what is asked, in the consumer
/// runner's transaction (so a redelivery is dropped by the inbox and a crash loses nothing); the
/// reconciler then takes it to the provider and publishes the answer.
enum PaymentCommandHandlers {
    /// Applies one command; true when it left work for the reconciler (a void or a refund to carry out).
    @discardableResult
    static func apply(_ event: ReceivedEvent, now: Date, logger: Logger, in db: Database) throws -> Bool {
        switch event.eventType {
        case VoidPayment.eventType:
            let command = try event.decode(VoidPayment.self)
            let requested = try PaymentStore.requestVoid(paymentId: command.paymentId, orderId: command.orderId,
                                                         reason: command.reason, now: now, in: db)
            if !requested {
                // Terminal already (its outcome was published), voided before, or not this order's: nothing to do.
                logger.info("VoidPayment left the payment as it is", metadata: [
                    "payment_id": "\(command.paymentId)", "order_id": "\(command.orderId)"])
            }
            return requested
        case RefundPayment.eventType:
            return try refund(try event.decode(RefundPayment.self), eventId: event.eventId, now: now, in: db)
        default:
            logger.warning("unknown command on payment.commands skipped", metadata: ["event_type": "\(event.eventType)"])
            return false
        }
    }

    private static func refund(_ command: RefundPayment, eventId: String, now: Date, in db: Database) throws -> Bool {
        let metadata = Payments.metadata(orderId: command.orderId, causation: eventId, traceparent: nil)
        let new = NewRefund(id: EventID.make(at: now), paymentId: command.paymentId, amount: command.amount, reason: command.reason,
                            source: .saga, requestKey: command.refundRequestId ?? eventId)
        guard let payment = try PaymentStore.fetchPayment(db, id: command.paymentId), payment.orderId == command.orderId else {
            try Outbox.enqueue(
                RefundFailed(orderId: command.orderId, paymentId: command.paymentId, refundId: nil, amount: command.amount,
                             failureCode: "PAYMENT_NOT_FOUND", refundRequestId: new.requestKey, failedAt: now),
                metadata: metadata, occurredAt: now, in: db)
            return false
        }
        let failureCode: String
        do {
            switch try PaymentStore.createRefund(new, now: now, in: db) {
            case .created: return true
            case .existing: return false
            }
        } catch PaymentError.notRefundable {
            failureCode = "NOT_REFUNDABLE"
        } catch PaymentError.refundExceedsCaptured {
            failureCode = "AMOUNT_EXCEEDS_REFUNDABLE"
        } catch PaymentError.currencyMismatch {
            failureCode = "CURRENCY_MISMATCH"
        }
        try PaymentStore.recordRejectedRefund(new, payment: payment, failureCode: failureCode, now: now, metadata: metadata, in: db)
        return false
    }
}
