import Foundation

/// The saga's timing and limits (API.md §10), from `OrderConfiguration`.
public struct SagaSettings: Sendable, Equatable {
    /// C2: how long to wait for a reply to `ReserveStock` before resending it.
    public var reservationReplyTimeout: TimeInterval = 30
    /// C2: resends of `ReserveStock` before the order is cancelled (`SYSTEM_TIMEOUT`).
    public var reservationResends = 3
    /// The reservation's lifetime asked of inventory; nil = inventory's default.
    public var reservationTTLSeconds: Int? = nil
    /// C6: no final payment answer within this after `PaymentInitiated` → void + cancel.
    public var paymentTimeout: TimeInterval = 120
    /// C4: failed attempts before `PAYMENT_FAILED`.
    public var maxPaymentAttempts = 3
    /// `DELIVERED → COMPLETED`; returns are allowed until then.
    public var returnWindow: TimeInterval = 14 * 86_400
    /// C13: delay before a failed refund is tried again, and attempts before `REFUND_FAILED`.
    public var refundRetryDelay: TimeInterval = 60
    public var maxRefundAttempts = 3
    /// C9: delay before a retryable shipment failure is tried again, and attempts before giving up.
    public var shipmentRetryDelay: TimeInterval = 30
    public var maxShipmentAttempts = 3

    public init() {}
}
