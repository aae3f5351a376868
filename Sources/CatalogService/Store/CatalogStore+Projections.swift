import Foundation
import GRDB

/// The catalog's copies of other services' facts, written by the event consumers inside the consumer
/// runner's transaction (with the inbox row and the offset), so each event takes effect exactly once.
extension CatalogStore {
    /// Records a stock report unless a newer one is already stored: events of one product arrive in
    /// order on its partition, but a redelivered or replayed old report must not overwrite a newer one.
    static func recordStock(_ db: Database, productId: String, inStock: Bool, available: Int, asOf: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO product_stock (product_id, in_stock, available, as_of_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (product_id) DO UPDATE SET in_stock = excluded.in_stock, available = excluded.available,
                                                      as_of_ms = excluded.as_of_ms
                WHERE excluded.as_of_ms >= product_stock.as_of_ms
                """,
            arguments: [productId, inStock, max(0, available), Millis.of(asOf)])
    }

    /// Makes the user eligible to review each product of a delivered order (idempotent).
    static func recordDelivery(_ db: Database, userId: String, orderId: String, productIds: [String], deliveredAt: Date) throws {
        for productId in Set(productIds) {
            try db.execute(
                sql: """
                    INSERT INTO verified_purchase (user_id, product_id, order_id, delivered_ms) VALUES (?, ?, ?, ?)
                    ON CONFLICT (user_id, product_id) DO NOTHING
                    """,
                arguments: [userId, productId, orderId, Millis.of(deliveredAt)])
        }
    }
}
