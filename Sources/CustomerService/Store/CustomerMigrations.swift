import GRDB
import ServiceKit

/// The customer service's schema, in release order. Ids are recorded in `grdb_migrations` and must never
/// change; a schema change is a new migration appended here.
enum CustomerMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("customer-v1-profile") { db in
            try db.create(table: "customer_profile") { t in
                // The IAM user id; the primary key is what makes "one profile per user" hold whichever of the
                // token and the registration event comes first (both insert-or-ignore).
                t.primaryKey("user_id", .text)
                t.column("email", .text)
                t.column("first_name", .text)
                t.column("last_name", .text)
                t.column("phone_number", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("version", .integer).notNull().defaults(to: 1)
            }
        },
        ServiceMigration("customer-v1-address") { db in
            try db.create(table: "address") { t in
                t.primaryKey("id", .text)  // UUIDv7, lowercase
                t.column("user_id", .text).notNull().references("customer_profile", onDelete: .cascade)
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
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("version", .integer).notNull().defaults(to: 1)
            }
            try db.create(index: "address_user", on: "address", columns: ["user_id", "created_at"])
            // At most one default of each kind per user, whatever the application code does.
            try db.create(index: "address_one_default_shipping", on: "address", columns: ["user_id"], unique: true,
                          condition: Column("is_default_shipping") == true)
            try db.create(index: "address_one_default_billing", on: "address", columns: ["user_id"], unique: true,
                          condition: Column("is_default_billing") == true)
        },
        ServiceMigration("customer-v1-account-status") { db in
            // IAM's account flags as `UserAccountStatusChanged` reports them; no row = enabled (the default).
            // Apart from the profile so that a status can arrive for a user without one.
            try db.create(table: "account_status") { t in
                t.primaryKey("user_id", .text)
                t.column("enabled", .boolean).notNull()
                t.column("locked", .boolean).notNull()
                t.column("reason", .text).notNull()
                t.column("changed_at", .datetime).notNull()
            }
        },
    ]
}
