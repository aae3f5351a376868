import GRDB
import ServiceKit

/// The catalog's schema, in release order. Ids are recorded in `grdb_migrations` and must never change; a
/// schema change is a new migration appended here. Times are Unix milliseconds (`*_ms`).
enum CatalogMigrations {
    static let all: [ServiceMigration] = [
        ServiceMigration("catalog-v1-category") { db in
            try db.execute(sql: """
                CREATE TABLE category (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    -- trimmed, lower-cased name: sibling names are unique by this key
                    name_key TEXT NOT NULL,
                    parent_id TEXT REFERENCES category(id) ON DELETE RESTRICT,
                    -- parent_id, or '' for a root (NULLs would not collide in the unique index)
                    parent_key TEXT NOT NULL,
                    -- materialized path of ids, '/root/.../id/'; a subtree is a prefix range
                    path TEXT NOT NULL UNIQUE,
                    version INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    UNIQUE (parent_key, name_key)
                );
                """)
        },
        ServiceMigration("catalog-v1-product") { db in
            try db.execute(sql: """
                CREATE TABLE product (
                    -- stable integer key of the full-text index (rowids of a TEXT-keyed table may change)
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    sku TEXT NOT NULL,
                    -- lower-cased sku: unique case-insensitively
                    sku_key TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    description TEXT,
                    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
                    currency TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('DRAFT', 'ACTIVE', 'DISCONTINUED')),
                    rating_sum INTEGER NOT NULL DEFAULT 0,
                    rating_count INTEGER NOT NULL DEFAULT 0,
                    version INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE INDEX product_newest ON product (status, created_ms, id);
                CREATE INDEX product_price ON product (status, price_minor, id);
                CREATE INDEX product_name ON product (status, name_key, id);
                CREATE TABLE product_category (
                    product_id TEXT NOT NULL REFERENCES product(id) ON DELETE CASCADE,
                    category_id TEXT NOT NULL REFERENCES category(id) ON DELETE RESTRICT,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (product_id, category_id)
                );
                CREATE INDEX product_category_category ON product_category (category_id, product_id);
                """)
        },
        ServiceMigration("catalog-v1-product-search") { db in
            // External-content FTS5 over name and description, kept in step by triggers: the index changes
            // in the very transaction that changes the product. Diacritics are folded both ways ('cafe'
            // finds 'café').
            try db.execute(sql: """
                CREATE VIRTUAL TABLE product_fts USING fts5(
                    name, description, content='product', content_rowid='seq',
                    tokenize='unicode61 remove_diacritics 2');
                CREATE TRIGGER product_fts_insert AFTER INSERT ON product BEGIN
                    INSERT INTO product_fts (rowid, name, description)
                    VALUES (new.seq, new.name, coalesce(new.description, ''));
                END;
                CREATE TRIGGER product_fts_delete AFTER DELETE ON product BEGIN
                    INSERT INTO product_fts (product_fts, rowid, name, description)
                    VALUES ('delete', old.seq, old.name, coalesce(old.description, ''));
                END;
                CREATE TRIGGER product_fts_update AFTER UPDATE OF name, description ON product BEGIN
                    INSERT INTO product_fts (product_fts, rowid, name, description)
                    VALUES ('delete', old.seq, old.name, coalesce(old.description, ''));
                    INSERT INTO product_fts (rowid, name, description)
                    VALUES (new.seq, new.name, coalesce(new.description, ''));
                END;
                """)
        },
        ServiceMigration("catalog-v1-projections") { db in
            try db.execute(sql: """
                -- inventory.stock.v1: the newest stock report per product (no foreign key: events may name
                -- products this catalog does not show, and arrive in any order with product writes)
                CREATE TABLE product_stock (
                    product_id TEXT PRIMARY KEY,
                    in_stock INTEGER NOT NULL,
                    available INTEGER NOT NULL,
                    as_of_ms INTEGER NOT NULL
                );
                -- order.order.v1 OrderDelivered: who may review what
                CREATE TABLE verified_purchase (
                    user_id TEXT NOT NULL,
                    product_id TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    delivered_ms INTEGER NOT NULL,
                    PRIMARY KEY (user_id, product_id)
                );
                """)
        },
        ServiceMigration("catalog-v1-review") { db in
            try db.execute(sql: """
                CREATE TABLE review (
                    id TEXT PRIMARY KEY,
                    product_id TEXT NOT NULL REFERENCES product(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL,
                    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
                    title TEXT,
                    comment TEXT,
                    status TEXT NOT NULL CHECK (status IN ('PENDING', 'PUBLISHED', 'REJECTED')),
                    verified_purchase INTEGER NOT NULL,
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    UNIQUE (user_id, product_id)
                );
                CREATE INDEX review_product ON review (product_id, status, created_ms, id);
                """)
        },
    ]
}
