import GRDB
import ServiceKit

extension OrderMigrations {
    /// The cart and the projections of other services' streams (catalog prices, customer snapshots and
    /// address books, account status). Append-only, as `orders`.
    static let projections: [ServiceMigration] = [
        ServiceMigration("order-v1-cart") { db in
            // One row per cart that was ever written: its `updatedAt` survives emptying it.
            try db.create(table: "cart") { t in
                t.primaryKey("user_id", .text)
                t.column("updated_at", .datetime).notNull()
            }
            // Quantities only: prices are read from `catalog_price` at read time, never stored here.
            try db.create(table: "cart_line") { t in
                t.column("user_id", .text).notNull().references("cart", onDelete: .cascade)
                t.column("product_id", .text).notNull()
                t.column("quantity", .integer).notNull()
                t.column("added_at", .datetime).notNull()
                t.primaryKey(["user_id", "product_id"])
            }
        },
        ServiceMigration("order-v1-catalog-price") { db in
            // From catalog.product.v1 (and read-through); `version` is the product's, so stale events lose.
            try db.create(table: "catalog_price") { t in
                t.primaryKey("product_id", .text)
                t.column("sku", .text).notNull()
                t.column("name", .text).notNull()
                t.column("price_minor", .integer).notNull()
                t.column("currency", .text).notNull()
                t.column("status", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("updated_at", .datetime).notNull()
            }
        },
        ServiceMigration("order-v1-customer-snapshot") { db in
            // From customer.customer.v1's profile events (names, phone) and iam.user.v1 (email, account status).
            try db.create(table: "customer_snapshot") { t in
                t.primaryKey("user_id", .text)
                t.column("email", .text)
                t.column("first_name", .text)
                t.column("last_name", .text)
                t.column("phone", .text)
                // The profile's version; 0 while only IAM's events have been seen.
                t.column("profile_version", .integer).notNull().defaults(to: 0)
                t.column("disabled", .boolean).notNull().defaults(to: false)
                t.column("updated_at", .datetime).notNull()
            }
        },
        ServiceMigration("order-v1-customer-address") { db in
            // One row per live address-book entry (removed ones are deleted).
            try db.create(table: "customer_address") { t in
                t.primaryKey("address_id", .text)
                t.column("user_id", .text).notNull()
                t.column("label", .text)
                t.column("recipient_name", .text).notNull()
                t.column("phone", .text)
                t.column("line1", .text).notNull()
                t.column("line2", .text)
                t.column("city", .text).notNull()
                t.column("state", .text)
                t.column("postal_code", .text).notNull()
                t.column("country", .text).notNull()
                t.column("is_default_shipping", .boolean).notNull().defaults(to: false)
                t.column("is_default_billing", .boolean).notNull().defaults(to: false)
                t.column("version", .integer).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "customer_address_user", on: "customer_address", columns: ["user_id"])
        },
    ]
}
