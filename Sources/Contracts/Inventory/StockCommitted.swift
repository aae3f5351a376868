import Foundation

/// Saga reply: an order's reservation became a sale; `onHand` and `reserved` both went down (key: order
/// id). Shipping turns it into the order's pick list.
public struct StockCommitted: DomainEvent, Equatable {
    public static let eventType = "StockCommitted"
    public static let eventVersion = 1
    public static let aggregateType = "reservation"
    public static let topic = Topics.inventoryStock

    public struct Line: Codable, Sendable, Hashable {
        public var productId: String
        public var warehouseId: String
        public var quantity: Int

        public init(productId: String, warehouseId: String, quantity: Int) {
            self.productId = productId
            self.warehouseId = warehouseId
            self.quantity = quantity
        }
    }

    public var orderId: String
    public var reservationId: String
    public var lines: [Line]
    public var committedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reservationId: String, lines: [Line], committedAt: Date) {
        self.orderId = orderId
        self.reservationId = reservationId
        self.lines = lines
        self.committedAt = committedAt
    }
}
