import Contracts
import ServiceKit

extension PaymentError: APIErrorConvertible {
    /// What a client sees. Unknown and other users' orders and payments get the same 404; provider and
    /// storage trouble is a 500 that names nothing.
    public var apiError: APIError {
        switch self {
        case .orderNotFound, .paymentNotFound:
            .notFound("Not found")
        case .orderNotAwaitingPayment(_, let status):
            .conflict("The order is not awaiting payment (it is \(status)); poll the order and retry when it is AWAITING_PAYMENT")
        case .orderUnconfirmed:
            .serviceUnavailable("The order's status cannot be confirmed with the order service right now; try again shortly")
        case .openPaymentExists:
            .conflict("The order already has a payment in progress; wait for it to finish")
        case .orderAlreadyPaid:
            .conflict("The order is already paid")
        case .notAwaitingAction(_, let status):
            .conflict("The payment is not waiting for a 3-D Secure answer (it is \(status.rawValue))")
        case .notRefundable(_, let status):
            .conflict("The payment has nothing captured to refund (it is \(status.rawValue))")
        case .refundExceedsCaptured(_, _, let refundable):
            .unprocessable("The refund exceeds what can still be refunded (\(refundable.amountMinor) minor units)",
                           errors: [FieldError(field: "amountMinor", message: "must be at most \(refundable.amountMinor)")])
        case .unpayableOrder(_, let reason):
            .unprocessable("The order cannot be paid: \(reason)")
        case .currencyMismatch(let expected, _):
            .unprocessable("Only \(expected) is accepted", errors: [FieldError(field: "currency", message: "must be \(expected)")])
        case .providerTimeout, .providerFailure, .corruptRow:
            .internalError
        }
    }
}
