import Contracts
import Foundation
import GRDB
import ServiceKit

/// Announces what a transaction did to products' summed stock. Take a snapshot before changing rows and
/// call `publishChanges` after, in the same transaction: each product whose sums moved gets
/// `StockLevelChanged`, and `ProductOutOfStock` / `ProductBackInStock` when its availability crossed zero.
struct StockLevelTracker {
    struct Sums: Equatable {
        var onHand = 0
        var reserved = 0
        var available: Int { onHand - reserved }
    }

    private var before: [String: Sums] = [:]

    init(products: some Sequence<String>, _ db: Database) throws {
        for productId in Set(products) { before[productId] = try Self.sums(productId, db) }
    }

    static func sums(_ productId: String, _ db: Database) throws -> Sums {
        let row = try Row.fetchOne(db, sql: """
            SELECT COALESCE(SUM(on_hand), 0) AS on_hand, COALESCE(SUM(reserved), 0) AS reserved
            FROM stock WHERE product_id = ?
            """, arguments: [productId])
        return Sums(onHand: row?["on_hand"] ?? 0, reserved: row?["reserved"] ?? 0)
    }

    func publishChanges(at now: Date, metadata: EventMetadata, _ db: Database) throws {
        for (productId, old) in before.sorted(by: { $0.key < $1.key }) {
            let new = try Self.sums(productId, db)
            guard new != old else { continue }
            try Outbox.enqueue(StockLevelChanged(productId: productId, onHand: new.onHand, reserved: new.reserved,
                                                 available: new.available, changedAt: now),
                               metadata: metadata, occurredAt: now, in: db)
            if old.available > 0, new.available <= 0 {
                try Outbox.enqueue(ProductOutOfStock(productId: productId, at: now), metadata: metadata, occurredAt: now, in: db)
            } else if old.available <= 0, new.available > 0 {
                try Outbox.enqueue(ProductBackInStock(productId: productId, available: new.available, at: now),
                                   metadata: metadata, occurredAt: now, in: db)
            }
        }
    }
}
