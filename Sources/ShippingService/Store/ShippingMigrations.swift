import GRDB
import ServiceKit

/// Shipping's schema, in release order. Ids are recorded in `grdb_migrations` and must never change; a
/// schema change is a new migration appended here.
enum ShippingMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("shipping-v1-shipment") { db in
            try db.create(table: "shipment") { t in
                t.primaryKey("id", .text)  // UUIDv7, lowercase
                // One shipment per order: the backstop of "idempotent by order id".
                t.column("order_id", .text).notNull().unique()
                t.column("user_id", .text).notNull()
                t.column("status", .text).notNull()
                    .check(sql: "status IN ('PENDING','LABEL_CREATED','DISPATCHED','IN_TRANSIT','DELIVERED','DELIVERY_FAILED','RETURNED_TO_SENDER','CANCELLED')")
                t.column("carrier", .text).notNull()
                t.column("tracking_number", .text).unique()
                t.column("method", .text).notNull().check(sql: "method IN ('STANDARD','EXPRESS')")
                t.column("cost_minor", .integer).notNull().check(sql: "cost_minor >= 0")
                t.column("currency", .text).notNull()
                t.column("ship_to", .text).notNull()  // AddressSnapshot as JSON
                t.column("lines", .text).notNull()  // [ProductQuantity] as JSON
                t.column("estimated_delivery_at", .datetime)
                t.column("shipped_at", .datetime)
                t.column("delivered_at", .datetime)
                t.column("delivery_failure_final", .boolean).notNull().defaults(to: false)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("version", .integer).notNull().defaults(to: 1)
            }
            try db.create(index: "shipment_user", on: "shipment", columns: ["user_id"])
        },
        ServiceMigration("shipping-v1-shipment-event") { db in
            // The tracking history, in the order events were applied (the row id).
            try db.create(table: "shipment_event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("shipment_id", .text).notNull().references("shipment", onDelete: .cascade)
                // The carrier's event id: a repeat is a replay (NULL for shipping's own events).
                t.column("carrier_event_id", .text).unique()
                t.column("status", .text).notNull()
                t.column("location", .text)
                t.column("occurred_at", .datetime).notNull()
                t.column("recorded_at", .datetime).notNull()
            }
            try db.create(index: "shipment_event_shipment", on: "shipment_event", columns: ["shipment_id", "id"])
        },
        ServiceMigration("shipping-v1-cancelled-order") { db in
            // CancelShipment for an order that had no shipment yet: a later CreateShipment must not ship it.
            try db.create(table: "cancelled_order") { t in
                t.primaryKey("order_id", .text)
                t.column("reason", .text).notNull()
                t.column("cancelled_at", .datetime).notNull()
            }
        },
        ServiceMigration("shipping-v1-pick-list") { db in
            // From inventory's StockCommitted, keyed by order: it may arrive before the shipment exists.
            try db.create(table: "pick_list_line") { t in
                t.column("order_id", .text).notNull()
                t.column("product_id", .text).notNull()
                t.column("warehouse_id", .text).notNull()
                t.column("quantity", .integer).notNull().check(sql: "quantity > 0")
                t.column("reservation_id", .text).notNull()
                t.column("committed_at", .datetime).notNull()
                t.primaryKey(["order_id", "product_id", "warehouse_id"])
            }
        },
    ]
}
