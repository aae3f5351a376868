import Foundation

// The order saga's commands to inventory (API.md §8), on `inventory.commands`, keyed by order id. The
// replies are events on `inventory.stock.v1` (ReservationEvents.swift, StockCommitted.swift). Every command
// is idempotent by order id: sending one again (the saga's resend after a deadline) answers with the
// outcome the first one had, and changes nothing more.

/// Reserve every line for an order, all or nothing. Replies `StockReserved` or `StockReservationRejected`.
public struct ReserveStock: DomainEvent, Equatable {
    public static let eventType = "ReserveStock"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryCommands

    public var orderId: String
    /// Distinct products, each with a quantity of 1–999 (1–50 lines).
    public var lines: [ProductQuantity]
    /// The reservation's lifetime; inventory's `INVENTORY_RESERVATION_TTL_SECONDS` when absent.
    public var ttlSeconds: Int?
    public var aggregateId: String { orderId }

    public init(orderId: String, lines: [ProductQuantity], ttlSeconds: Int? = nil) {
        self.orderId = orderId
        self.lines = lines
        self.ttlSeconds = ttlSeconds
    }
}

/// Extend an active reservation once (payment started). Replies `StockReservationExtended`.
public struct ExtendReservation: DomainEvent, Equatable {
    public static let eventType = "ExtendReservation"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryCommands

    public var orderId: String
    /// Added to the current expiry (clamped to 1–86400); inventory's `INVENTORY_RESERVATION_EXTENSION_SECONDS` when absent.
    public var extendBySeconds: Int?
    public var aggregateId: String { orderId }

    public init(orderId: String, extendBySeconds: Int? = nil) {
        self.orderId = orderId
        self.extendBySeconds = extendBySeconds
    }
}

/// Give an order's reserved stock back (cancellation, payment failure). Replies `StockReservationReleased`,
/// also when there is nothing to release (no reservation, already released or expired), so a compensation
/// always gets its acknowledgement.
public struct ReleaseStock: DomainEvent, Equatable {
    public static let eventType = "ReleaseStock"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryCommands

    public var orderId: String
    /// Why, e.g. `CUSTOMER_REQUEST`, `PAYMENT_FAILED`, `RESERVATION_TIMEOUT`.
    public var reason: String
    public var aggregateId: String { orderId }

    public init(orderId: String, reason: String) {
        self.orderId = orderId
        self.reason = reason
    }
}

/// Turn an order's reservation into a sale (after payment). Replies `StockCommitted`, or `StockCommitFailed`
/// when the reservation is gone (expired, released, never made).
public struct CommitStock: DomainEvent, Equatable {
    public static let eventType = "CommitStock"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryCommands

    public var orderId: String
    public var aggregateId: String { orderId }

    public init(orderId: String) {
        self.orderId = orderId
    }
}

/// Put an order's committed stock back on hand (cancel after commit, a return). Replies `StockReturned`.
public struct ReturnStock: DomainEvent, Equatable {
    public static let eventType = "ReturnStock"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryCommands

    public var orderId: String
    /// The products and quantities coming back; every committed line when absent. Quantities beyond what
    /// was committed and not yet returned are capped.
    public var lines: [ProductQuantity]?
    /// Why, e.g. `CANCEL_AFTER_COMMIT`, `RETURN`.
    public var reason: String
    public var aggregateId: String { orderId }

    public init(orderId: String, lines: [ProductQuantity]? = nil, reason: String) {
        self.orderId = orderId
        self.lines = lines
        self.reason = reason
    }
}
