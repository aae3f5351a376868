import GRDB
import ServiceKit

/// The payment service's schema, in release order. Ids are recorded in `grdb_migrations` and never
/// change; a schema change is a new migration appended here.
enum PaymentMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("payment-v1-payable-order") { db in
            // The projection of `order.order.v1`: what an order costs, whose it is, where the saga is.
            try db.create(table: "payable_order") { t in
                t.primaryKey("order_id", .text)
                t.column("user_id", .text).notNull()
                t.column("total_minor", .integer).notNull()
                t.column("currency", .text).notNull()
                t.column("status", .text).notNull()
                t.column("payment_due_by", .datetime)
                t.column("updated_at", .datetime).notNull()
            }
        },
        ServiceMigration("payment-v1-payment") { db in
            try db.create(table: "payment") { t in
                t.primaryKey("id", .text)
                t.column("order_id", .text).notNull()
                t.column("user_id", .text).notNull()
                t.column("status", .text).notNull()
                t.column("method", .text).notNull()
                t.column("amount_minor", .integer).notNull()
                t.column("currency", .text).notNull()
                t.column("captured_minor", .integer)
                t.column("refunded_minor", .integer).notNull().defaults(to: 0)
                t.column("psp", .text).notNull()
                t.column("psp_reference", .text)
                t.column("payment_token", .text).notNull()
                t.column("idempotency_key", .text).notNull()
                t.column("failure_code", .text)
                t.column("retryable", .boolean)
                t.column("void_reason", .text)
                t.column("captured_at", .datetime)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("version", .integer).notNull().defaults(to: 1)
                // The last guard of "refunds never exceed the capture", whatever the code above does.
                t.check(sql: "refunded_minor >= 0 AND refunded_minor <= COALESCE(captured_minor, 0)")
                t.check(sql: "amount_minor > 0")
            }
            // At most one open payment per order (DOMAIN.md §3.2): a second initiate races into this index.
            try db.execute(sql: """
                CREATE UNIQUE INDEX payment_one_open_per_order ON payment(order_id)
                WHERE status IN \(PaymentStatus.openStatusesSQL)
                """)
            // One payment per client key and order: a retry after a crash resumes the payment it created.
            try db.create(index: "payment_order_key", on: "payment", columns: ["order_id", "idempotency_key"], unique: true)
            try db.create(index: "payment_order_created", on: "payment", columns: ["order_id", "created_at"])
            try db.create(index: "payment_status", on: "payment", columns: ["status"])
        },
        ServiceMigration("payment-v1-refund") { db in
            try db.create(table: "refund") { t in
                t.primaryKey("id", .text)
                t.column("payment_id", .text).notNull().references("payment")
                t.column("order_id", .text).notNull()
                t.column("amount_minor", .integer).notNull()
                t.column("currency", .text).notNull()
                t.column("status", .text).notNull()
                t.column("reason", .text)
                t.column("failure_code", .text)
                t.column("source", .text).notNull()
                // The saga's refund request id (or command event id): a re-sent command refunds once.
                t.column("request_key", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.check(sql: "amount_minor > 0")
            }
            try db.create(index: "refund_payment_request", on: "refund", columns: ["payment_id", "request_key"], unique: true)
            try db.create(index: "refund_payment_created", on: "refund", columns: ["payment_id", "created_at"])
            try db.create(index: "refund_status", on: "refund", columns: ["status"])
        },
        ServiceMigration("payment-v2-payment-polled-at") { db in
            // When the reconciler last asked the provider about the payment: it asks the longest-unasked
            // first, so payments that never answer (tok_timeout) cannot starve the others.
            try db.alter(table: "payment") { t in t.add(column: "polled_at", .datetime) }
        },
    ]
}
