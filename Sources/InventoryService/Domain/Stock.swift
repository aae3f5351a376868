import Foundation

/// One product's stock in one warehouse. Invariant (a CHECK constraint in the table): `0 ≤ reserved ≤ onHand`.
public struct StockRow: Sendable, Equatable {
    public var productId: String
    public var warehouseId: String
    public var warehouseCode: String
    public var onHand: Int
    public var reserved: Int
    public var version: Int
    public var updatedAt: Date
    public var available: Int { onHand - reserved }
}

/// A product's stock over all warehouses (`GET /inventory/{productId}`).
public struct StockLevel: Sendable, Equatable {
    public var productId: String
    /// Ordered like the warehouse list: by priority, then code.
    public var rows: [StockRow]
    public var onHand: Int { rows.reduce(0) { $0 + $1.onHand } }
    public var reserved: Int { rows.reduce(0) { $0 + $1.reserved } }
    public var available: Int { onHand - reserved }
}

/// Why on-hand changed by an administrator's hand.
public enum AdjustmentReason: String, Sendable, CaseIterable, Codable {
    case receipt = "RECEIPT"
    case count = "COUNT"
    case damage = "DAMAGE"
    case correction = "CORRECTION"
    case `return` = "RETURN"
}

/// `POST /inventory/adjustments`.
public struct StockAdjustmentRequest: Sendable, Equatable {
    public var productId: String
    public var warehouseId: String
    public var delta: Int
    public var reason: AdjustmentReason
    public var note: String?

    public init(productId: String, warehouseId: String, delta: Int, reason: AdjustmentReason, note: String? = nil) {
        self.productId = productId
        self.warehouseId = warehouseId
        self.delta = delta
        self.reason = reason
        self.note = note
    }

    /// |delta| ≤ 10^6 (API.md §5).
    public static let deltaLimit = 1_000_000
    public static let noteLimit = 500
}

/// An adjustment as recorded, with the row after it.
public struct StockAdjustment: Sendable, Equatable {
    public var id: String
    public var productId: String
    public var warehouseId: String
    public var delta: Int
    public var reason: AdjustmentReason
    public var note: String?
    public var onHand: Int
    public var reserved: Int
    public var version: Int
    public var createdAt: Date
    public var available: Int { onHand - reserved }
}

/// `PUT /inventory/{productId}/warehouses/{warehouseId}`: the counted quantity.
public struct StockCount: Sendable, Equatable {
    public var productId: String
    public var warehouseId: String
    public var onHand: Int
    /// Applied only when it equals the row's version (absent: last write wins).
    public var version: Int?

    public init(productId: String, warehouseId: String, onHand: Int, version: Int? = nil) {
        self.productId = productId
        self.warehouseId = warehouseId
        self.onHand = onHand
        self.version = version
    }

    public static let onHandLimit = 1_000_000_000
}
