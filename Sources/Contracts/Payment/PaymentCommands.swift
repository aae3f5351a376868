import Foundation

// The order saga's commands to payment (`payment.commands`, API.md §8), sent through the order service's
// outbox, keyed by order id. Payment answers with events on `payment.payment.v1`. A redelivered command
// (same event id) is dropped by the consumer's inbox; a re-sent one (new event id) is recognised by the
// guards named on each command.

/// Cancel an open payment (`INITIATED` or `REQUIRES_ACTION`) before it captures: C5, C6. Answered with
/// `PaymentVoided`, or with `PaymentSucceeded` when the provider had captured first (then C7 refunds).
/// A payment already terminal is left as it is and nothing is published again.
public struct VoidPayment: DomainEvent, Equatable {
    public static let eventType = "VoidPayment"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.paymentCommands

    public var orderId: String
    public var paymentId: String
    /// One of API.md §4.3's `cancelReason` values (`PAYMENT_TIMEOUT`, `RESERVATION_TIMEOUT`, …).
    public var reason: String
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, reason: String) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.reason = reason
    }
}

/// Give back `amount` of a captured payment (C7–C13, C15). Answered with `PaymentRefunded` or
/// `RefundFailed`. Refunds are cumulative and never exceed the captured amount.
public struct RefundPayment: DomainEvent, Equatable {
    public static let eventType = "RefundPayment"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.paymentCommands

    public var orderId: String
    public var paymentId: String
    public var amount: Money
    public var reason: String
    /// The saga's id for this refund: a command re-sent with the same id has no second effect. When
    /// absent, the command's event id stands in (so only a redelivery of the same message is recognised).
    public var refundRequestId: String?
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, amount: Money, reason: String, refundRequestId: String? = nil) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.amount = amount
        self.reason = reason
        self.refundRequestId = refundRequestId
    }
}
