import Foundation

// Product events beside `ProductCreated` and `ProductDiscontinued` (ProductLifecycleEvents.swift); all on
// `catalog.product.v1`, keyed by product id, each carrying the product's `version` after the change so
// consumers can drop stale or duplicate updates.

/// A product's descriptive fields or status changed (not its price: `ProductPriceChanged`). Carries the
/// current value of every such field, so a consumer never has to merge partial updates; `changedFields`
/// names the ones this change touched (`name`, `description`, `categoryIds`, `status`).
public struct ProductUpdated: DomainEvent, Equatable {
    public static let eventType = "ProductUpdated"
    public static let eventVersion = 1
    public static let aggregateType = "product"
    public static let topic = Topics.catalogProduct

    public var productId: String
    public var name: String
    public var description: String?
    public var categoryIds: [String]
    /// `DRAFT`, `ACTIVE` or `DISCONTINUED`.
    public var status: String
    public var changedFields: [String]
    public var version: Int
    public var updatedAt: Date
    public var aggregateId: String { productId }

    public init(productId: String, name: String, description: String?, categoryIds: [String], status: String,
                changedFields: [String], version: Int, updatedAt: Date) {
        self.productId = productId
        self.name = name
        self.description = description
        self.categoryIds = categoryIds
        self.status = status
        self.changedFields = changedFields
        self.version = version
        self.updatedAt = updatedAt
    }
}

/// A product's price changed. Order refreshes its price projection and flags carts holding the product.
public struct ProductPriceChanged: DomainEvent, Equatable {
    public static let eventType = "ProductPriceChanged"
    public static let eventVersion = 1
    public static let aggregateType = "product"
    public static let topic = Topics.catalogProduct

    public var productId: String
    public var oldPrice: Money
    public var newPrice: Money
    public var effectiveAt: Date
    public var version: Int
    public var aggregateId: String { productId }

    public init(productId: String, oldPrice: Money, newPrice: Money, effectiveAt: Date, version: Int) {
        self.productId = productId
        self.oldPrice = oldPrice
        self.newPrice = newPrice
        self.effectiveAt = effectiveAt
        self.version = version
    }
}

/// A discontinued product is sold again (`DISCONTINUED → ACTIVE`).
public struct ProductReactivated: DomainEvent, Equatable {
    public static let eventType = "ProductReactivated"
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

/// A product's review summary changed: mean rating × 100 rounded half-up (0 without reviews), and the
/// number of published reviews.
public struct ProductRatingUpdated: DomainEvent, Equatable {
    public static let eventType = "ProductRatingUpdated"
    public static let eventVersion = 1
    public static let aggregateType = "product"
    public static let topic = Topics.catalogProduct

    public var productId: String
    public var ratingAverageX100: Int
    public var ratingCount: Int
    public var at: Date
    public var aggregateId: String { productId }

    public init(productId: String, ratingAverageX100: Int, ratingCount: Int, at: Date) {
        self.productId = productId
        self.ratingAverageX100 = ratingAverageX100
        self.ratingCount = ratingCount
        self.at = at
    }
}
