import Contracts
import Foundation
import ServiceKit

/// Every failure of the payment service's domain. `PaymentErrorMapping` decides what a client sees for
/// each; `description` is the log text and may say more.
public enum PaymentError: Error, Sendable, Equatable {
    /// 404: no such order for this caller (unknown, or another user's: indistinguishable).
    case orderNotFound(orderId: String)
    /// 404: no such payment for this caller (unknown, malformed, or another user's).
    case paymentNotFound(paymentId: String)
    /// 409: the order is not waiting for a payment (`status` is where it is, as far as payment knows).
    case orderNotAwaitingPayment(orderId: String, status: String)
    /// 503: the projection does not show the order payable, may yet (unknown, or still reserving), and the
    /// order service could not be asked (`reason` says why: a timeout, IAM's token, an open circuit).
    case orderUnconfirmed(orderId: String, projected: String?, reason: String)
    /// 409: the order already has an open payment (`INITIATED` or `REQUIRES_ACTION`).
    case openPaymentExists(orderId: String, paymentId: String?)
    /// 409: the order already has a captured payment.
    case orderAlreadyPaid(orderId: String, paymentId: String)
    /// 409: a 3-D Secure answer for a payment that is not waiting for one.
    case notAwaitingAction(paymentId: String, status: PaymentStatus)
    /// 409: a refund of a payment that has nothing captured to refund.
    case notRefundable(paymentId: String, status: PaymentStatus)
    /// 422: the refund asks for more than captured − refunded (pending refunds included).
    case refundExceedsCaptured(paymentId: String, requested: Money, refundable: Money)
    /// 422: the order cannot be charged as it stands (a total in another currency than `SHOP_CURRENCY`,
    /// or nothing to pay).
    case unpayableOrder(orderId: String, reason: String)
    /// 422: money in a currency other than the payment's.
    case currencyMismatch(expected: String, actual: String)
    /// The provider did not answer within `PSP_CALL_TIMEOUT_MS` (not an HTTP error: the payment stays open).
    case providerTimeout(operation: String, timeout: Duration)
    /// 500: the provider answered something the service cannot use.
    case providerFailure(String)
    /// 500: a stored row the service cannot read back (a bug or a damaged file).
    case corruptRow(String)
}

extension PaymentError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .orderNotFound(let orderId): "order \(orderId) not found for the caller"
        case .paymentNotFound(let paymentId): "payment \(paymentId) not found for the caller"
        case .orderNotAwaitingPayment(let orderId, let status): "order \(orderId) is \(status), not AWAITING_PAYMENT"
        case .orderUnconfirmed(let orderId, let projected, let reason):
            "order \(orderId) is \(projected ?? "unknown") to payment's projection and the order service could not be asked: \(reason)"
        case .openPaymentExists(let orderId, let paymentId): "order \(orderId) has an open payment \(paymentId ?? "(racing)")"
        case .orderAlreadyPaid(let orderId, let paymentId): "order \(orderId) was already paid by \(paymentId)"
        case .notAwaitingAction(let paymentId, let status): "payment \(paymentId) is \(status.rawValue), not REQUIRES_ACTION"
        case .notRefundable(let paymentId, let status): "payment \(paymentId) is \(status.rawValue): nothing captured to refund"
        case .refundExceedsCaptured(let paymentId, let requested, let refundable):
            "refund of \(requested) on payment \(paymentId) exceeds the refundable \(refundable)"
        case .unpayableOrder(let orderId, let reason): "order \(orderId) cannot be charged: \(reason)"
        case .currencyMismatch(let expected, let actual): "currency \(actual) where \(expected) was expected"
        case .providerTimeout(let operation, let timeout): "the payment provider did not answer \(operation) within \(timeout)"
        case .providerFailure(let message): "payment provider failure: \(message)"
        case .corruptRow(let message): "unreadable payment row: \(message)"
        }
    }
}
