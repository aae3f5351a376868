import Contracts
import GRDB
import ServiceKit

/// `order.order.v1` → `verified_purchase`: a delivered order lets its buyer review its products.
enum OrderEvents {
    static func apply(_ event: ReceivedEvent, _ db: Database) throws {
        guard event.is(OrderDelivered.self) else { return }  // the rest of the order stream is not the catalog's
        let delivered = try event.decode(OrderDelivered.self)
        try CatalogStore.recordDelivery(db, userId: delivered.userId, orderId: delivered.orderId,
                                        productIds: delivered.productIds, deliveredAt: delivered.deliveredAt)
    }
}

/// The catalog's one consumer: every topic it reads, dispatched by topic.
enum CatalogEvents {
    static let topics = [Topics.inventoryStock, Topics.orderOrder]

    static func apply(_ event: ReceivedEvent, _ db: Database) throws {
        switch event.topic {
        case Topics.inventoryStock: try StockEvents.apply(event, db)
        case Topics.orderOrder: try OrderEvents.apply(event, db)
        default: break
        }
    }
}
