import Foundation

/// A product's stock summed over all warehouses changed (API.md §8; key: product id). Catalog turns it
/// into `inStock` and `availableQuantity`.
public struct StockLevelChanged: DomainEvent, Equatable {
    public static let eventType = "StockLevelChanged"
    public static let eventVersion = 1
    public static let aggregateType = "stock"
    public static let topic = Topics.inventoryStock

    public var productId: String
    public var onHand: Int
    public var reserved: Int
    /// `onHand - reserved`.
    public var available: Int
    public var changedAt: Date
    public var aggregateId: String { productId }

    public init(productId: String, onHand: Int, reserved: Int, available: Int, changedAt: Date) {
        self.productId = productId
        self.onHand = onHand
        self.reserved = reserved
        self.available = available
        self.changedAt = changedAt
    }
}

/// A product's available stock fell to zero (key: product id).
public struct ProductOutOfStock: DomainEvent, Equatable {
    public static let eventType = "ProductOutOfStock"
    public static let eventVersion = 1
    public static let aggregateType = "stock"
    public static let topic = Topics.inventoryStock

    public var productId: String
    public var at: Date
    public var aggregateId: String { productId }

    public init(productId: String, at: Date) {
        self.productId = productId
        self.at = at
    }
}

/// A product's available stock rose above zero again (key: product id).
public struct ProductBackInStock: DomainEvent, Equatable {
    public static let eventType = "ProductBackInStock"
    public static let eventVersion = 1
    public static let aggregateType = "stock"
    public static let topic = Topics.inventoryStock

    public var productId: String
    public var available: Int
    public var at: Date
    public var aggregateId: String { productId }

    public init(productId: String, available: Int, at: Date) {
        self.productId = productId
        self.available = available
        self.at = at
    }
}
