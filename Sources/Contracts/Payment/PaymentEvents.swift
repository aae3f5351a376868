import Foundation

// The payment service's stream (`payment.payment.v1`, API.md §8), every event keyed by order id so that
// one order's payment facts keep their order next to each other. The order saga consumes them.

/// A payment attempt was recorded and is being sent to the payment provider (`INITIATED`). Committed
/// before the provider is called, so a crash during the call leaves a trace the saga can time out on.
public struct PaymentInitiated: DomainEvent, Equatable {
    public static let eventType = "PaymentInitiated"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    /// The order's total at initiation (never the client's figure).
    public var amount: Money
    /// `CARD` in v1.
    public var method: String
    public var initiatedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, amount: Money, method: String, initiatedAt: Date) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.amount = amount
        self.method = method
        self.initiatedAt = initiatedAt
    }
}

/// The provider asks for customer action (a 3-D Secure challenge) before it decides (`REQUIRES_ACTION`).
/// The client completes it with `POST <confirmPath>`.
public struct PaymentRequiresAction: DomainEvent, Equatable {
    public static let eventType = "PaymentRequiresAction"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    /// `THREE_DS_CHALLENGE`.
    public var actionType: String
    public var confirmPath: String
    public var pspReference: String?
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, actionType: String, confirmPath: String, pspReference: String?) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.actionType = actionType
        self.confirmPath = confirmPath
        self.pspReference = pspReference
    }
}

/// The amount was authorized but not captured (`AUTHORIZED`). Reserved for split authorize/capture:
/// v1 captures at once and never publishes it.
public struct PaymentAuthorized: DomainEvent, Equatable {
    public static let eventType = "PaymentAuthorized"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    public var amount: Money
    public var authorizedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, amount: Money, authorizedAt: Date) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.amount = amount
        self.authorizedAt = authorizedAt
    }
}

/// The provider captured the money (`CAPTURED`): the saga's pivot. `captured` is what the provider
/// took; the saga compares it with `amount` (the order's total) and never marks an order paid when
/// they differ (C15).
public struct PaymentSucceeded: DomainEvent, Equatable {
    public static let eventType = "PaymentSucceeded"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    /// The amount asked for: the order's total at initiation.
    public var amount: Money
    /// The amount the provider captured.
    public var captured: Money
    public var capturedAt: Date
    public var pspReference: String?
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, amount: Money, captured: Money, capturedAt: Date, pspReference: String?) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.amount = amount
        self.captured = captured
        self.capturedAt = capturedAt
        self.pspReference = pspReference
    }
}

/// The provider declined or the customer failed the challenge (`FAILED`). `retryable` tells the saga
/// whether the customer may try again (C4) or the order is cancelled (C4′, `FRAUD_SUSPECTED`).
public struct PaymentFailed: DomainEvent, Equatable {
    public static let eventType = "PaymentFailed"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    /// `CARD_DECLINED`, `INSUFFICIENT_FUNDS`, `FRAUD_SUSPECTED`, `AUTHENTICATION_FAILED`.
    public var failureCode: String
    public var retryable: Bool
    public var failedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, failureCode: String, retryable: Bool, failedAt: Date) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.failureCode = failureCode
        self.retryable = retryable
        self.failedAt = failedAt
    }
}

/// An open payment was cancelled at the provider before any capture (`VOIDED`), in answer to `VoidPayment`.
public struct PaymentVoided: DomainEvent, Equatable {
    public static let eventType = "PaymentVoided"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    public var reason: String
    public var voidedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, reason: String, voidedAt: Date) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.reason = reason
        self.voidedAt = voidedAt
    }
}

/// A refund succeeded. `refundedTotal` is the payment's cumulative refunded amount after it;
/// `fullyRefunded` is true when that reached the captured amount (`REFUNDED`).
public struct PaymentRefunded: DomainEvent, Equatable {
    public static let eventType = "PaymentRefunded"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    public var refundId: String
    public var amount: Money
    public var refundedTotal: Money
    public var fullyRefunded: Bool
    /// The saga's `RefundPayment.refundRequestId` when the refund answers a command; nil for an admin refund.
    public var refundRequestId: String?
    public var refundedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, refundId: String, amount: Money, refundedTotal: Money,
                fullyRefunded: Bool, refundRequestId: String?, refundedAt: Date) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.refundId = refundId
        self.amount = amount
        self.refundedTotal = refundedTotal
        self.fullyRefunded = fullyRefunded
        self.refundRequestId = refundRequestId
        self.refundedAt = refundedAt
    }
}

/// A refund did not happen. `failureCode`: `REFUND_DECLINED` (the provider refused), `NOT_REFUNDABLE`
/// (the payment was never captured, or was voided or failed), `AMOUNT_EXCEEDS_REFUNDABLE`,
/// `CURRENCY_MISMATCH`, `PAYMENT_NOT_FOUND` (no such payment for this order). The saga retries or
/// parks the order in `REFUND_FAILED` (C13).
public struct RefundFailed: DomainEvent, Equatable {
    public static let eventType = "RefundFailed"
    public static let eventVersion = 1
    public static let aggregateType = "payment"
    public static let topic = Topics.paymentPayment

    public var orderId: String
    public var paymentId: String
    /// The refund row that records the attempt; nil when the payment itself was not found.
    public var refundId: String?
    public var amount: Money
    public var failureCode: String
    public var refundRequestId: String?
    public var failedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, refundId: String?, amount: Money, failureCode: String,
                refundRequestId: String?, failedAt: Date) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.refundId = refundId
        self.amount = amount
        self.failureCode = failureCode
        self.refundRequestId = refundRequestId
        self.failedAt = failedAt
    }
}
