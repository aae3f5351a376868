import GRDB
import ServiceKit

/// Order's schema, in release order. Ids are recorded in `grdb_migrations` and must never change; a schema
/// change is a new migration appended here (the cart and projections keep theirs in
/// `OrderMigrations+Projections.swift`).
enum OrderMigrations {
    static var all: [ServiceMigration] { orders + projections }

    static let orders: [ServiceMigration] = [
        ServiceMigration("order-v1-order") { db in
            try db.create(table: "orders") { t in
                t.primaryKey("id", .text)  // UUIDv7, lowercase
                t.column("user_id", .text).notNull()
                // The natural-key backstop of POST /orders' idempotency (DOMAIN.md §4.6).
                t.column("idempotency_key", .text).notNull()
                t.column("status", .text).notNull()
                t.column("cancel_reason", .text)
                t.column("stuck", .boolean).notNull().defaults(to: false)
                t.column("lines", .text).notNull()  // [OrderLine] as JSON
                t.column("item_count", .integer).notNull()
                t.column("subtotal_minor", .integer).notNull()
                t.column("total_minor", .integer).notNull()
                t.column("currency", .text).notNull()
                t.column("customer", .text).notNull()  // CustomerSnapshot as JSON
                t.column("shipping_address", .text).notNull()  // AddressSnapshot as JSON
                t.column("billing_address", .text).notNull()
                t.column("payment_due_by", .datetime)
                t.column("payment_attempts", .integer).notNull().defaults(to: 0)
                t.column("payment_id", .text)
                t.column("shipment_id", .text)
                t.column("carrier", .text)
                t.column("tracking_number", .text)
                t.column("facts", .text).notNull()  // SagaFacts as JSON
                t.column("placed_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("version", .integer).notNull().defaults(to: 1)
                t.uniqueKey(["user_id", "idempotency_key"])
            }
            // GET /orders/me and GET /orders: newest first, id as the tiebreak of the keyset.
            try db.create(index: "orders_user_placed", on: "orders", columns: ["user_id", "placed_at", "id"])
            try db.create(index: "orders_placed", on: "orders", columns: ["placed_at", "id"])
            try db.create(index: "orders_stuck", on: "orders", columns: ["stuck"], condition: Column("stuck") == true)
        },
        ServiceMigration("order-v1-status-history") { db in
            try db.create(table: "order_status_history") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("order_id", .text).notNull().references("orders", onDelete: .cascade)
                t.column("status", .text).notNull()
                t.column("at", .datetime).notNull()
                t.column("reason", .text)
            }
            try db.create(index: "order_status_history_order", on: "order_status_history", columns: ["order_id", "seq"])
        },
        ServiceMigration("order-v1-saga-deadline") { db in
            // At most one pending timer per order; the deadline job takes the due ones in due order.
            try db.create(table: "saga_deadline") { t in
                t.primaryKey("order_id", .text)
                t.column("kind", .text).notNull()
                t.column("due_at", .datetime).notNull()
            }
            try db.create(index: "saga_deadline_due", on: "saga_deadline", columns: ["due_at"])
        },
    ]
}
