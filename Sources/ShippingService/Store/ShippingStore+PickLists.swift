import Contracts
import Foundation
import GRDB

extension ShippingStore {
    /// Records what the warehouses pick for an order. Keyed by (order, product, warehouse), so the same
    /// commit seen again (even under another event id) sets the same rows.
    static func recordPickList(_ committed: StockCommitted, _ db: Database) throws {
        for line in committed.lines where line.quantity > 0 {
            try db.execute(
                sql: """
                    INSERT INTO pick_list_line (order_id, product_id, warehouse_id, quantity, reservation_id, committed_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (order_id, product_id, warehouse_id) DO UPDATE SET
                        quantity = excluded.quantity, reservation_id = excluded.reservation_id, committed_at = excluded.committed_at
                    """,
                arguments: [committed.orderId.lowercased(), line.productId.lowercased(), line.warehouseId.lowercased(),
                            line.quantity, committed.reservationId, committed.committedAt])
        }
    }

    static func pickList(_ db: Database, orderId: String) throws -> [PickListLine] {
        try Row.fetchAll(db, sql: "SELECT * FROM pick_list_line WHERE order_id = ? ORDER BY warehouse_id, product_id",
                         arguments: [orderId]).map { row in
            PickListLine(productId: row["product_id"], warehouseId: row["warehouse_id"], quantity: row["quantity"])
        }
    }
}
