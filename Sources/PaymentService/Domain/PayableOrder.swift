import Contracts
import Foundation

/// What payment knows of an order: its owner, its total and where the saga is, from `order.order.v1`
/// (and, when that lags, from the order service itself).
public struct PayableOrder: Sendable, Equatable {
    public var orderId: String
    public var userId: String
    public var total: Money
    /// The order service's status name (`PENDING_RESERVATION`, `AWAITING_PAYMENT`, `PAID`, `CANCELLED`, …).
    public var status: String
    public var paymentDueBy: Date?

    public static let awaitingPayment = "AWAITING_PAYMENT"
    public static let pendingReservation = "PENDING_RESERVATION"
    public static let paid = "PAID"
    public static let cancelled = "CANCELLED"

    public var isAwaitingPayment: Bool { status == Self.awaitingPayment }

    /// Statuses a later event may not leave again: an order never reopens.
    static let final: Set<String> = [paid, cancelled]
}
