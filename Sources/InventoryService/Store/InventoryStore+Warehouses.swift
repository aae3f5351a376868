import Foundation
import GRDB
import ServiceKit

extension InventoryStore {
    // MARK: Reads

    /// Every warehouse, by priority then code (the allocation order).
    public func warehouses() async throws -> [Warehouse] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM warehouse ORDER BY priority, code").map(Self.decodeWarehouse)
        }
    }

    public func warehouse(id: String) async throws -> Warehouse {
        try await database.read { db in
            guard let warehouse = try Self.fetchWarehouse(id: id, db) else { throw InventoryError.warehouseNotFound(id: id) }
            return warehouse
        }
    }

    // MARK: Writes

    public func createWarehouse(_ new: NewWarehouse) async throws -> Warehouse {
        let now = clock.now()
        let warehouse = Warehouse(id: Identifier.make(at: now), code: new.code, name: new.name, address: new.address,
                                  priority: new.priority, active: new.active, createdAt: now, updatedAt: now, version: 1)
        let address = try new.address.map(JSONColumn.encode)
        return try await database.write { db in
            // The unique index settles concurrent creations; this check only names the conflict.
            let taken = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM warehouse WHERE code = ?)", arguments: [new.code]) ?? false
            if taken { throw InventoryError.warehouseCodeTaken(code: new.code) }
            try db.execute(sql: """
                INSERT INTO warehouse (id, code, name, address, priority, active, created_at, updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                """, arguments: [warehouse.id, warehouse.code, warehouse.name, address, warehouse.priority,
                                 warehouse.active, Millis.from(now), Millis.from(now)])
            return warehouse
        }
    }

    /// Applies `change` if its version is the current one: 404 unknown, 409 stale.
    public func updateWarehouse(id: String, _ change: WarehouseChange) async throws -> Warehouse {
        let now = Millis.from(clock.now())
        return try await database.write { db in
            try db.execute(sql: """
                UPDATE warehouse
                SET name = COALESCE(?, name), priority = COALESCE(?, priority), active = COALESCE(?, active),
                    updated_at = ?, version = version + 1
                WHERE id = ? AND version = ?
                """, arguments: [change.name, change.priority, change.active, now, id, change.version])
            let updated = db.changesCount == 1
            guard let warehouse = try Self.fetchWarehouse(id: id, db) else { throw InventoryError.warehouseNotFound(id: id) }
            if !updated {
                throw InventoryError.versionConflict(what: "warehouse", current: warehouse.version)
            }
            return warehouse
        }
    }

    // MARK: Rows

    static func fetchWarehouse(id: String, _ db: Database) throws -> Warehouse? {
        try Row.fetchOne(db, sql: "SELECT * FROM warehouse WHERE id = ?", arguments: [id]).map(decodeWarehouse)
    }

    static func decodeWarehouse(_ row: Row) throws -> Warehouse {
        Warehouse(id: row["id"], code: row["code"], name: row["name"],
                  address: try JSONColumn.decode(WarehouseAddress.self, row["address"]),
                  priority: row["priority"], active: row["active"],
                  createdAt: Millis.date(row["created_at"]), updatedAt: Millis.date(row["updated_at"]), version: row["version"])
    }
}
