import Contracts
import GRDB
import ServiceKit

/// `inventory.stock.v1` → `product_stock`: the `inStock` and `availableQuantity` of product answers.
/// Each report is applied only if it is not older than the stored one (`changedAt`/`at`).
enum StockEvents {
    static func apply(_ event: ReceivedEvent, _ db: Database) throws {
        switch event.eventType {
        case StockLevelChanged.eventType:
            let level = try event.decode(StockLevelChanged.self)
            try CatalogStore.recordStock(db, productId: level.productId, inStock: level.available > 0,
                                         available: level.available, asOf: level.changedAt)
        case ProductOutOfStock.eventType:
            let out = try event.decode(ProductOutOfStock.self)
            try CatalogStore.recordStock(db, productId: out.productId, inStock: false, available: 0, asOf: out.at)
        case ProductBackInStock.eventType:
            let back = try event.decode(ProductBackInStock.self)
            try CatalogStore.recordStock(db, productId: back.productId, inStock: back.available > 0,
                                         available: back.available, asOf: back.at)
        default:
            break  // reservations and the saga's replies share the topic; the catalog needs none of them
        }
    }
}
