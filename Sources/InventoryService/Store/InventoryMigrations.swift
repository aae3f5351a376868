import GRDB
import ServiceKit

/// Inventory's schema, in release order. Ids are recorded in `grdb_migrations` and must never change; a
/// schema change is a new migration appended here. Times are Unix milliseconds (INTEGER), so comparisons
/// such as "expired before now" are plain integer comparisons.
enum InventoryMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("inventory-v1-warehouse") { db in
            try db.execute(sql: """
                CREATE TABLE warehouse (
                    id TEXT PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    address TEXT,                       -- JSON {line1, city, postalCode, country} or NULL
                    priority INTEGER NOT NULL CHECK (priority >= 0),
                    active INTEGER NOT NULL CHECK (active IN (0, 1)),
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    version INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX warehouse_allocation_order ON warehouse (priority, code)")
        },
        ServiceMigration("inventory-v1-stock") { db in
            // The invariant lives in the table: whatever a statement does, reserved stays within on_hand.
            try db.execute(sql: """
                CREATE TABLE stock (
                    product_id TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL REFERENCES warehouse (id),
                    on_hand INTEGER NOT NULL,
                    reserved INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (product_id, warehouse_id),
                    CHECK (reserved >= 0 AND reserved <= on_hand)
                ) WITHOUT ROWID
                """)
            try db.execute(sql: """
                CREATE TABLE stock_adjustment (
                    id TEXT PRIMARY KEY,
                    product_id TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL REFERENCES warehouse (id),
                    delta INTEGER NOT NULL,
                    reason TEXT NOT NULL CHECK (reason IN ('RECEIPT', 'COUNT', 'DAMAGE', 'CORRECTION', 'RETURN')),
                    note TEXT,
                    on_hand_after INTEGER NOT NULL,
                    reserved_after INTEGER NOT NULL,
                    version_after INTEGER NOT NULL,
                    actor TEXT,
                    created_at INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX stock_adjustment_product ON stock_adjustment (product_id, created_at)")
        },
        ServiceMigration("inventory-v1-known-product") { db in
            // Products learned from catalog.product.v1; GET /inventory/{id} shows zeros for them.
            try db.execute(sql: """
                CREATE TABLE known_product (
                    product_id TEXT PRIMARY KEY,
                    sku TEXT,
                    discontinued_at INTEGER,
                    learned_at INTEGER NOT NULL
                ) WITHOUT ROWID
                """)
        },
        ServiceMigration("inventory-v1-reservation") { db in
            // One reservation per order: the unique order id is what makes reserving idempotent.
            try db.execute(sql: """
                CREATE TABLE reservation (
                    id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL UNIQUE,
                    status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED')),
                    requested_lines TEXT NOT NULL,      -- JSON [{productId, quantity}] sorted by product
                    expires_at INTEGER NOT NULL,
                    extended INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
                    release_reason TEXT,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                )
                """)
            try db.execute(sql: "CREATE INDEX reservation_active_expiry ON reservation (expires_at) WHERE status = 'ACTIVE'")
            try db.execute(sql: """
                CREATE TABLE reservation_line (
                    reservation_id TEXT NOT NULL REFERENCES reservation (id),
                    product_id TEXT NOT NULL,
                    warehouse_id TEXT NOT NULL REFERENCES warehouse (id),
                    quantity INTEGER NOT NULL CHECK (quantity > 0),
                    returned INTEGER NOT NULL DEFAULT 0 CHECK (returned >= 0 AND returned <= quantity),
                    PRIMARY KEY (reservation_id, product_id, warehouse_id)
                ) WITHOUT ROWID
                """)
            // An order whose reservation was refused: a repeated request gets the same answer, so a
            // resent command can never reserve after its rejection was announced.
            try db.execute(sql: """
                CREATE TABLE reservation_rejection (
                    order_id TEXT PRIMARY KEY,
                    requested_lines TEXT NOT NULL,
                    shortages TEXT NOT NULL,            -- JSON [{index, productId, requested, available}]
                    rejected_at INTEGER NOT NULL
                ) WITHOUT ROWID
                """)
        },
    ]
}
