import Foundation

/// An administrator changed a stock row's on-hand quantity: a receipt, a count, damage, a correction or a
/// return to stock (key: product id). For audit; `StockLevelChanged` carries the summed level.
public struct StockAdjusted: DomainEvent, Equatable {
    public static let eventType = "StockAdjusted"
    public static let eventVersion = 1
    public static let aggregateType = "stock"
    public static let topic = Topics.inventoryStock

    public var adjustmentId: String
    public var productId: String
    public var warehouseId: String
    /// The change of on-hand (0 for a count that confirmed the quantity).
    public var delta: Int
    /// `RECEIPT`, `COUNT`, `DAMAGE`, `CORRECTION` or `RETURN`.
    public var reason: String
    /// The row after the change.
    public var onHand: Int
    public var reserved: Int
    public var adjustedAt: Date
    public var aggregateId: String { productId }

    public init(adjustmentId: String, productId: String, warehouseId: String, delta: Int, reason: String,
                onHand: Int, reserved: Int, adjustedAt: Date) {
        self.adjustmentId = adjustmentId
        self.productId = productId
        self.warehouseId = warehouseId
        self.delta = delta
        self.reason = reason
        self.onHand = onHand
        self.reserved = reserved
        self.adjustedAt = adjustedAt
    }
}
