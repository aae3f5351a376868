/// An order's status, which is also its saga state (DOMAIN.md §4.4, API.md §4.3). `STUCK` is not a status
/// but the `stuck` flag beside it.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pendingReservation = "PENDING_RESERVATION"
    case awaitingPayment = "AWAITING_PAYMENT"
    case paymentProcessing = "PAYMENT_PROCESSING"
    case paid = "PAID"
    case fulfilling = "FULFILLING"
    case shipped = "SHIPPED"
    case delivered = "DELIVERED"
    case completed = "COMPLETED"
    case cancellationPending = "CANCELLATION_PENDING"
    case cancelled = "CANCELLED"
    case refundPending = "REFUND_PENDING"
    case refunded = "REFUNDED"
    case refundFailed = "REFUND_FAILED"
    case returnRequested = "RETURN_REQUESTED"
    case returned = "RETURNED"

    /// No message moves the order on by itself any more (a late capture still refunds from `CANCELLED`).
    public var isTerminal: Bool {
        switch self {
        case .completed, .cancelled, .refunded: true
        default: false
        }
    }
}

/// Why an order was cancelled (API.md §4.3): set on entering `CANCELLATION_PENDING` (or `CANCELLED`
/// directly) and kept through `REFUND_PENDING` / `REFUNDED`.
public enum CancelReason: String, Codable, Sendable, CaseIterable {
    case outOfStock = "OUT_OF_STOCK"
    case customerRequest = "CUSTOMER_REQUEST"
    case paymentFailed = "PAYMENT_FAILED"
    case paymentTimeout = "PAYMENT_TIMEOUT"
    case reservationTimeout = "RESERVATION_TIMEOUT"
    case shippingFailed = "SHIPPING_FAILED"
    case fraudSuspected = "FRAUD_SUSPECTED"
    case systemTimeout = "SYSTEM_TIMEOUT"
}
