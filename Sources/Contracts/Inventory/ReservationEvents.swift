import Foundation

// Inventory's replies to the order saga (API.md §8), on `inventory.stock.v1`, keyed by order id.
// `StockCommitted` lives in StockCommitted.swift.

/// One product's quantity held in (or taken from, or returned to) one warehouse.
public struct StockReservationLine: Codable, Sendable, Hashable {
    public var productId: String
    public var warehouseId: String
    public var quantity: Int

    public init(productId: String, warehouseId: String, quantity: Int) {
        self.productId = productId
        self.warehouseId = warehouseId
        self.quantity = quantity
    }
}

/// Every line of the order is reserved until `expiresAt`.
public struct StockReserved: DomainEvent, Equatable {
    public static let eventType = "StockReserved"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    public var orderId: String
    public var reservationId: String
    /// Per product and warehouse (a line split over warehouses appears once per warehouse).
    public var lines: [StockReservationLine]
    public var expiresAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reservationId: String, lines: [StockReservationLine], expiresAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.lines = lines
        self.expiresAt = expiresAt
    }
}

/// Nothing was reserved for the order.
public struct StockReservationRejected: DomainEvent, Equatable {
    public static let eventType = "StockReservationRejected"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    /// `OUT_OF_STOCK` (the lines say what is short) or `INVALID_REQUEST` (the command's lines break the
    /// rules: none, more than 50, a repeated product, a quantity outside 1–999, a malformed id).
    public var reason: String
    public struct ShortLine: Codable, Sendable, Hashable {
        public var productId: String
        public var requested: Int
        public var available: Int

        public init(productId: String, requested: Int, available: Int) {
            self.productId = productId
            self.requested = requested
            self.available = available
        }
    }

    public var orderId: String
    /// The lines that could not be covered (empty for `INVALID_REQUEST`).
    public var lines: [ShortLine]
    public var rejectedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reason: String, lines: [ShortLine], rejectedAt: Date) {
        self.orderId = orderId
        self.reason = reason
        self.lines = lines
        self.rejectedAt = rejectedAt
    }
}

/// The reservation now lasts until `expiresAt` (its one extension).
public struct StockReservationExtended: DomainEvent, Equatable {
    public static let eventType = "StockReservationExtended"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    public var orderId: String
    public var reservationId: String
    public var expiresAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reservationId: String, expiresAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.expiresAt = expiresAt
    }
}

/// The order holds no reserved stock any more: released now, or there was nothing to release
/// (`reservationId` nil: never reserved; or already released or expired).
public struct StockReservationReleased: DomainEvent, Equatable {
    public static let eventType = "StockReservationReleased"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    public var orderId: String
    public var reservationId: String?
    /// The command's reason.
    public var reason: String
    /// The lines given back by this release (empty when nothing was held).
    public var lines: [StockReservationLine]
    public var releasedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reservationId: String?, reason: String, lines: [StockReservationLine], releasedAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.reason = reason
        self.lines = lines
        self.releasedAt = releasedAt
    }
}

/// The reservation passed its expiry unpaid; its stock is available again. Announced once.
public struct StockReservationExpired: DomainEvent, Equatable {
    public static let eventType = "StockReservationExpired"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    public var orderId: String
    public var reservationId: String
    public var expiredAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reservationId: String, expiredAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.expiredAt = expiredAt
    }
}

/// `CommitStock` found no active reservation to commit; nothing changed.
public struct StockCommitFailed: DomainEvent, Equatable {
    public static let eventType = "StockCommitFailed"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    /// `RESERVATION_EXPIRED`, `RESERVATION_RELEASED` or `RESERVATION_NOT_FOUND`.
    public var reason: String
    public var orderId: String
    public var reservationId: String?
    public var failedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reservationId: String?, reason: String, failedAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.reason = reason
        self.failedAt = failedAt
    }
}

/// Stock of the order came back: committed stock on hand again (`ReturnStock` after commit), or, for a
/// reservation not yet committed, its reserved stock released.
public struct StockReturned: DomainEvent, Equatable {
    public static let eventType = "StockReturned"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    public var orderId: String
    public var reservationId: String?
    /// What this command gave back, per warehouse (empty when nothing was left to return).
    public var lines: [StockReservationLine]
    public var reason: String
    public var returnedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reservationId: String?, lines: [StockReservationLine], reason: String, returnedAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.lines = lines
        self.reason = reason
        self.returnedAt = returnedAt
    }
}
