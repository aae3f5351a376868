import Foundation

/// A product was created (key: product id). Inventory learns the product (zero stock); order prices carts.
public struct ProductCreated: DomainEvent, Equatable {
    public static let eventType = "ProductCreated"
    public static let eventVersion = 1
    public static let aggregateType = "product"
    public static let topic = Topics.catalogProduct

    public var productId: String
    public var sku: String
    public var name: String
    public var description: String?
    public var price: Money
    public var categoryIds: [String]
    /// `DRAFT` or `ACTIVE`.
    public var status: String
    public var version: Int
    public var createdAt: Date
    public var aggregateId: String { productId }

    public init(
        productId: String, sku: String, name: String, description: String?, price: Money, categoryIds: [String],
        status: String, version: Int, createdAt: Date
    ) {
        self.productId = productId
        self.sku = sku
        self.name = name
        self.description = description
        self.price = price
        self.categoryIds = categoryIds
        self.status = status
        self.version = version
        self.createdAt = createdAt
    }
}

/// A product was discontinued: no more add-to-cart or checkout (key: product id).
public struct ProductDiscontinued: DomainEvent, Equatable {
    public static let eventType = "ProductDiscontinued"
    public static let eventVersion = 1
    public static let aggregateType = "product"
    public static let topic = Topics.catalogProduct

    public var productId: String
    public var reason: String?
    public var version: Int
    public var at: Date
    public var aggregateId: String { productId }

    public init(productId: String, reason: String?, version: Int, at: Date) {
        self.productId = productId
        self.reason = reason
        self.version = version
        self.at = at
    }
}
