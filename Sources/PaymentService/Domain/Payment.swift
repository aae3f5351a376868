import Contracts
import Foundation

/// Where a payment is (API.md §6). `INITIATED` and `REQUIRES_ACTION` are open: at most one open payment
/// exists per order (a partial unique index). `AUTHORIZED` is reserved for split authorize/capture.
public enum PaymentStatus: String, Sendable, Codable, CaseIterable {
    case initiated = "INITIATED"
    case requiresAction = "REQUIRES_ACTION"
    case authorized = "AUTHORIZED"
    case captured = "CAPTURED"
    case failed = "FAILED"
    case voided = "VOIDED"
    case refunded = "REFUNDED"
    case partiallyRefunded = "PARTIALLY_REFUNDED"

    /// Still waiting for the provider or the customer: blocks a second attempt for the order.
    public var isOpen: Bool { self == .initiated || self == .requiresAction }
    /// Money was taken (whether or not some of it was given back since).
    public var hasCaptured: Bool { self == .captured || self == .partiallyRefunded || self == .refunded }
    /// A refund may be asked for.
    public var isRefundable: Bool { self == .captured || self == .partiallyRefunded }

    /// The statuses of the partial unique index, as SQL text.
    static let openStatusesSQL = "('INITIATED', 'REQUIRES_ACTION')"
}

/// How the customer pays; cards only in v1.
public enum PaymentMethod: String, Sendable, Codable, CaseIterable {
    case card = "CARD"
}

/// What the client must do before the provider decides.
public struct NextAction: Sendable, Equatable, Codable {
    public static let threeDSChallenge = "THREE_DS_CHALLENGE"
    public var type: String
    public var confirmPath: String

    static func threeDS(paymentId: String) -> NextAction {
        NextAction(type: threeDSChallenge, confirmPath: "/payments/\(paymentId)/confirm")
    }
}

/// One payment attempt for one order. The amount is the order's total when it was initiated; `captured`
/// is what the provider took (it may differ: C15); `refunded` only grows and never passes `captured`.
public struct Payment: Sendable, Equatable {
    public var id: String
    public var orderId: String
    /// The order's owner: ownership checks compare with the caller.
    public var userId: String
    public var status: PaymentStatus
    public var method: PaymentMethod
    public var amount: Money
    public var captured: Money?
    public var refunded: Money
    /// The provider's name for the payment (`sim_…`).
    public var pspReference: String?
    /// The provider's token for the card (a test token with the simulator); never a card number.
    public var paymentToken: String
    /// The client's `Idempotency-Key`; passed on to the provider with the order id as its scope.
    public var idempotencyKey: String
    public var failureCode: String?
    public var retryable: Bool?
    /// Set when the saga asked to void the payment; the reconciler carries it out.
    public var voidReason: String?
    public var capturedAt: Date?
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public var nextAction: NextAction? { status == .requiresAction ? .threeDS(paymentId: id) : nil }

    /// The key the provider deduplicates charges by: our key, scoped to the order.
    public var providerIdempotencyKey: String { "\(orderId):\(idempotencyKey)" }

    /// What can still be refunded: captured − refunded (zero before a capture).
    public var refundable: Money {
        guard let captured else { return .zero(amount.currency) }
        return Money(amountMinor: max(0, captured.amountMinor - refunded.amountMinor), currency: captured.currency)
    }
}

/// The status of one refund.
public enum RefundStatus: String, Sendable, Codable, CaseIterable {
    case pending = "PENDING"
    case succeeded = "SUCCEEDED"
    case failed = "FAILED"
}

/// Who asked for a refund.
public enum RefundSource: String, Sendable, Codable {
    /// `POST /payments/{id}/refunds`.
    case admin = "ADMIN"
    /// The order saga's `RefundPayment` command.
    case saga = "SAGA"
}

/// Money given back on a captured payment. A `PENDING` refund already counts against what is refundable,
/// so concurrent refunds can never add up past the capture.
public struct Refund: Sendable, Equatable {
    public var id: String
    public var paymentId: String
    public var orderId: String
    public var amount: Money
    public var status: RefundStatus
    public var reason: String?
    public var failureCode: String?
    public var source: RefundSource
    /// The saga's `refundRequestId` (or the command's event id); nil for an admin refund.
    public var requestKey: String?
    public var createdAt: Date
    public var updatedAt: Date
}
