import Contracts
import Foundation
import GRDB
import ServiceKit

extension InventoryStore {
    // MARK: Reads

    /// A product's stock per warehouse; zeros (no rows) for a product known only from the catalog;
    /// `productNotFound` when it is neither stocked nor known.
    public func stockLevel(productId: String) async throws -> StockLevel {
        try await database.read { db in
            let rows = try Self.stockRows(productId: productId, db)
            if rows.isEmpty {
                let known = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM known_product WHERE product_id = ?)",
                                              arguments: [productId]) ?? false
                if !known { throw InventoryError.productNotFound(id: productId) }
            }
            return StockLevel(productId: productId, rows: rows)
        }
    }

    static func stockRows(productId: String, _ db: Database) throws -> [StockRow] {
        try Row.fetchAll(db, sql: """
            SELECT s.*, w.code FROM stock s JOIN warehouse w ON w.id = s.warehouse_id
            WHERE s.product_id = ? ORDER BY w.priority, w.code
            """, arguments: [productId]).map(decodeStockRow)
    }

    static func stockRow(productId: String, warehouseId: String, _ db: Database) throws -> StockRow? {
        try Row.fetchOne(db, sql: """
            SELECT s.*, w.code FROM stock s JOIN warehouse w ON w.id = s.warehouse_id
            WHERE s.product_id = ? AND s.warehouse_id = ?
            """, arguments: [productId, warehouseId]).map(decodeStockRow)
    }

    static func decodeStockRow(_ row: Row) -> StockRow {
        StockRow(productId: row["product_id"], warehouseId: row["warehouse_id"], warehouseCode: row["code"],
                 onHand: row["on_hand"], reserved: row["reserved"], version: row["version"], updatedAt: Millis.date(row["updated_at"]))
    }

    // MARK: Adjustments and counts

    /// Adds `delta` to a row's on-hand (creating the row on its first adjustment) and records why, with
    /// `StockAdjusted` and the level events. 422 for an unknown warehouse or when on-hand would fall
    /// below reserved.
    public func adjust(_ request: StockAdjustmentRequest, actor: String?, metadata: EventMetadata) async throws -> StockAdjustment {
        let now = clock.now()
        return try await database.write { db in try Self.adjust(request, actor: actor, now: now, metadata: metadata, db) }
    }

    static func adjust(_ request: StockAdjustmentRequest, actor: String?, now: Date, metadata: EventMetadata,
                       _ db: Database) throws -> StockAdjustment {
        try requireWarehouse(request.warehouseId, field: "warehouseId", db)
        let tracker = try StockLevelTracker(products: [request.productId], db)
        let millis = Millis.from(now)
        // One conditional statement each way: the guard is in the WHERE clause, never in Swift.
        try db.execute(sql: """
            UPDATE stock SET on_hand = on_hand + ?, version = version + 1, updated_at = ?
            WHERE product_id = ? AND warehouse_id = ? AND on_hand + ? >= reserved
            """, arguments: [request.delta, millis, request.productId, request.warehouseId, request.delta])
        if db.changesCount == 0 {
            if let row = try stockRow(productId: request.productId, warehouseId: request.warehouseId, db) {
                throw InventoryError.onHandBelowReserved(productId: request.productId, warehouseId: request.warehouseId,
                                                         onHand: row.onHand + request.delta, reserved: row.reserved)
            }
            guard request.delta > 0 else {
                throw InventoryError.onHandBelowReserved(productId: request.productId, warehouseId: request.warehouseId,
                                                         onHand: request.delta, reserved: 0)
            }
            try db.execute(sql: """
                INSERT INTO stock (product_id, warehouse_id, on_hand, reserved, version, updated_at) VALUES (?, ?, ?, 0, 1, ?)
                """, arguments: [request.productId, request.warehouseId, request.delta, millis])
        }
        guard let row = try stockRow(productId: request.productId, warehouseId: request.warehouseId, db) else {
            throw InventoryError.internalFailure("stock row vanished inside its own transaction")
        }
        let adjustment = try record(productId: request.productId, warehouseId: request.warehouseId, delta: request.delta,
                                    reason: request.reason, note: request.note, row: row, actor: actor, now: now, metadata: metadata, db)
        try tracker.publishChanges(at: now, metadata: metadata, db)
        return adjustment
    }

    /// Sets a row's on-hand to a counted quantity (an adjustment with reason `COUNT`). 409 for a stale
    /// `version`, 422 for an unknown warehouse or a count below reserved.
    public func count(_ count: StockCount, actor: String?, metadata: EventMetadata) async throws -> StockRow {
        let now = clock.now()
        return try await database.write { db in
            try Self.requireWarehouse(count.warehouseId, field: "warehouseId", db)
            let tracker = try StockLevelTracker(products: [count.productId], db)
            let millis = Millis.from(now)
            let before = try Self.stockRow(productId: count.productId, warehouseId: count.warehouseId, db)
            if let before {
                if let version = count.version, version != before.version {
                    throw InventoryError.versionConflict(what: "stock row", current: before.version)
                }
                try db.execute(sql: """
                    UPDATE stock SET on_hand = ?, version = version + 1, updated_at = ?
                    WHERE product_id = ? AND warehouse_id = ? AND version = ? AND reserved <= ?
                    """, arguments: [count.onHand, millis, count.productId, count.warehouseId, before.version, count.onHand])
                if db.changesCount == 0 {
                    throw InventoryError.onHandBelowReserved(productId: count.productId, warehouseId: count.warehouseId,
                                                             onHand: count.onHand, reserved: before.reserved)
                }
            } else {
                // No row yet: only "no version" or version 0 (nothing counted before) matches it.
                if let version = count.version, version != 0 { throw InventoryError.versionConflict(what: "stock row", current: 0) }
                try db.execute(sql: """
                    INSERT INTO stock (product_id, warehouse_id, on_hand, reserved, version, updated_at) VALUES (?, ?, ?, 0, 1, ?)
                    """, arguments: [count.productId, count.warehouseId, count.onHand, millis])
            }
            guard let row = try Self.stockRow(productId: count.productId, warehouseId: count.warehouseId, db) else {
                throw InventoryError.internalFailure("stock row vanished inside its own transaction")
            }
            _ = try Self.record(productId: count.productId, warehouseId: count.warehouseId, delta: row.onHand - (before?.onHand ?? 0),
                                reason: .count, note: nil, row: row, actor: actor, now: now, metadata: metadata, db)
            try tracker.publishChanges(at: now, metadata: metadata, db)
            return row
        }
    }

    private static func record(productId: String, warehouseId: String, delta: Int, reason: AdjustmentReason, note: String?,
                               row: StockRow, actor: String?, now: Date, metadata: EventMetadata, _ db: Database) throws -> StockAdjustment {
        let adjustment = StockAdjustment(id: Identifier.make(at: now), productId: productId, warehouseId: warehouseId, delta: delta,
                                         reason: reason, note: note, onHand: row.onHand, reserved: row.reserved,
                                         version: row.version, createdAt: now)
        try db.execute(sql: """
            INSERT INTO stock_adjustment (id, product_id, warehouse_id, delta, reason, note, on_hand_after, reserved_after,
                                          version_after, actor, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [adjustment.id, productId, warehouseId, delta, reason.rawValue, note, row.onHand, row.reserved,
                             row.version, actor, Millis.from(now)])
        try Outbox.enqueue(StockAdjusted(adjustmentId: adjustment.id, productId: productId, warehouseId: warehouseId, delta: delta,
                                         reason: reason.rawValue, onHand: row.onHand, reserved: row.reserved, adjustedAt: now),
                           metadata: metadata, occurredAt: now, in: db)
        return adjustment
    }

    static func requireWarehouse(_ id: String, field: String, _ db: Database) throws {
        let exists = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM warehouse WHERE id = ?)", arguments: [id]) ?? false
        if !exists { throw InventoryError.unknownWarehouse(id: id, field: field) }
    }

    // MARK: Products known from the catalog

    /// `ProductCreated`: the product exists (zero stock until adjusted). Idempotent.
    static func learnProduct(id: String, sku: String?, now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO known_product (product_id, sku, learned_at) VALUES (?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET sku = COALESCE(excluded.sku, sku)
            """, arguments: [id, sku, Millis.from(now)])
    }

    /// `ProductDiscontinued`: remembered (stock stays visible and reservable: the order service blocks
    /// checkout of discontinued products). Idempotent; the first time counts.
    static func discontinueProduct(id: String, at: Date, now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO known_product (product_id, discontinued_at, learned_at) VALUES (?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET discontinued_at = COALESCE(discontinued_at, excluded.discontinued_at)
            """, arguments: [id, Millis.from(at), Millis.from(now)])
    }
}
