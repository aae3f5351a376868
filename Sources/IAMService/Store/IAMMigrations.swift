import GRDB
import ServiceKit

/// IAM's schema, in release order. Ids are recorded in `grdb_migrations` and must never change; a schema
/// change is a new migration appended here.
enum IAMMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("iam-v1-app-user") { db in
            try db.create(table: "app_user") { t in
                t.primaryKey("id", .text)  // UUID, lowercase
                // Stored case-folded by IAM; NOCASE is a second guard for ASCII.
                t.column("email", .text).notNull().unique().collate(.nocase)
                t.column("password_hash", .text).notNull()
                // Kept for the register body; DOMAIN.md §3.2 moves them to Customer later.
                t.column("first_name", .text).notNull()
                t.column("last_name", .text).notNull()
                t.column("phone_number", .text)
                // JSON array of role names, sorted: ["admin","customer"].
                t.column("roles", .text).notNull()
                t.column("enabled", .boolean).notNull().defaults(to: true)
                t.column("account_non_locked", .boolean).notNull().defaults(to: true)
                t.column("account_non_expired", .boolean).notNull().defaults(to: true)
                t.column("credentials_non_expired", .boolean).notNull().defaults(to: true)
                t.column("failed_login_count", .integer).notNull().defaults(to: 0)
                t.column("locked_until", .datetime)
                t.column("last_login_at", .datetime)
                t.column("email_verified_at", .datetime)
                t.column("password_changed_at", .datetime).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("version", .integer).notNull().defaults(to: 1)
            }
            try db.create(index: "app_user_created", on: "app_user", columns: ["created_at", "id"])
        },
        ServiceMigration("iam-v1-signing-key") { db in
            try db.create(table: "signing_key") { t in
                t.primaryKey("kid", .text)
                t.column("algorithm", .text).notNull()  // "ES256"
                // PKCS#8 PEM. Plain in the service's own database file; encrypting it at rest is a later step.
                t.column("private_key_pem", .text).notNull()
                t.column("created_at", .datetime).notNull()
                // Set when a newer key takes over signing; the key stays published for one token lifetime.
                t.column("retired_at", .datetime)
            }
        },
        ServiceMigration("iam-v1-refresh-token") { db in
            // One family per login; every rotation adds a token to it; revoking the family kills the session.
            try db.create(table: "refresh_token_family") { t in
                t.primaryKey("id", .text)
                t.column("user_id", .text).notNull().references("app_user", onDelete: .cascade)
                t.column("created_at", .datetime).notNull()
                t.column("revoked_at", .datetime)
                t.column("revoke_reason", .text)
            }
            try db.create(index: "refresh_token_family_user", on: "refresh_token_family", columns: ["user_id"])
            try db.create(table: "refresh_token") { t in
                t.primaryKey("id", .text)
                // Hex SHA-256 of the opaque token; the token itself is never stored.
                t.column("token_hash", .text).notNull().unique()
                t.column("family_id", .text).notNull().references("refresh_token_family", onDelete: .cascade)
                t.column("scope", .text)
                t.column("issued_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
                // Set when the token was exchanged; presenting it again is reuse.
                t.column("used_at", .datetime)
                t.column("replaced_by", .text)
            }
            try db.create(index: "refresh_token_family_idx", on: "refresh_token", columns: ["family_id"])
        },
        ServiceMigration("iam-v1-oauth-client") { db in
            try db.create(table: "oauth_client") { t in
                t.primaryKey("client_id", .text)
                t.column("secret_hash", .text).notNull()  // argon2id PHC string
                t.column("name", .text).notNull()
                t.column("scopes", .text).notNull()  // JSON array of allowed scopes
                t.column("roles", .text).notNull()  // JSON array of role names for the token
                t.column("enabled", .boolean).notNull().defaults(to: true)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
        },
    ]
}
