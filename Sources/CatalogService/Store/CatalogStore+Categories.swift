import Contracts
import Foundation
import GRDB
import ServiceKit

extension CatalogStore {
    // MARK: Reads

    /// Every category (the tree is a bounded list, API.md §1.6).
    func allCategories() async throws -> [Category] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM category").map(Self.decodeCategory)
        }
    }

    /// The category and every descendant, or nil when it does not exist.
    func subtree(of id: String) async throws -> [Category]? {
        try await database.read { db in
            guard let root = try Self.fetchCategory(db, id: id) else { return nil }
            return try Self.fetchSubtree(db, path: root.path)
        }
    }

    func category(id: String) async throws -> Category? {
        try await database.read { db in try Self.fetchCategory(db, id: id) }
    }

    // MARK: Writes

    /// Inserts a category under `parentId` (nil: a root) with `CategoryCreated`.
    func insertCategory(id: String, name: String, parentId: String?, maxDepth: Int, now: Date,
                        metadata: EventMetadata) async throws -> Category {
        try await database.write { db in
            var parentPath: String?
            if let parentId {
                guard CatalogID.isCanonical(parentId), let parent = try Self.fetchCategory(db, id: parentId) else {
                    throw CatalogError.unknownParent(parentId)
                }
                guard parent.depth < maxDepth else { throw CatalogError.categoryTooDeep(maximum: maxDepth) }
                parentPath = parent.path
            }
            let created = Millis.truncate(now)
            let category = Category(id: id, name: name, parentId: parentId, path: CategoryPath.child(of: parentPath, id: id),
                                    version: 1, createdAt: created, updatedAt: created)
            try Self.requireFreeName(db, name: name, parentId: parentId, except: nil)
            do {
                try db.execute(
                    sql: """
                        INSERT INTO category (id, name, name_key, parent_id, parent_key, path, version, created_ms, updated_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, name, CategoryRules.nameKey(name), parentId, parentId ?? "", category.path, 1,
                                Millis.of(created), Millis.of(created)])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw CatalogError.siblingNameTaken(name)
            }
            try Outbox.enqueue(CategoryCreated(categoryId: id, name: name, parentId: parentId, path: category.path, version: 1,
                                               createdAt: created),
                               metadata: metadata, occurredAt: created, in: db)
            return category
        }
    }

    /// Renames and/or moves a category. A move rewrites the paths of the whole subtree in this one
    /// transaction; moving under itself or a descendant is `categoryCycle`.
    func updateCategory(id: String, change: CategoryChange, maxDepth: Int, now: Date,
                        metadata: EventMetadata) async throws -> Category {
        try await database.write { db in
            guard let before = try Self.fetchCategory(db, id: id) else { throw CatalogError.categoryNotFound }
            guard change.expectedVersion == before.version else {
                throw CatalogError.versionConflict(what: "category", current: before.version)
            }
            var after = before
            if let name = change.name { after.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            var newParentPath: String? = nil
            if let parentChange = change.parentId {
                after.parentId = parentChange
                if let parentId = parentChange {
                    guard CatalogID.isCanonical(parentId), let parent = try Self.fetchCategory(db, id: parentId) else {
                        throw CatalogError.unknownParent(parentId)
                    }
                    // The new parent may not be the category or lie in its subtree.
                    if parent.path.hasPrefix(before.path) { throw CatalogError.categoryCycle }
                    newParentPath = parent.path
                }
            }
            let moved = after.parentId != before.parentId
            let renamed = after.name != before.name
            guard moved || renamed else { throw CatalogError.nothingToChange }

            if moved {
                after.path = CategoryPath.child(of: newParentPath, id: id)
                let subtreeHeight = try Int.fetchOne(
                    db, sql: "SELECT MAX(length(path) - length(replace(path, '/', ''))) FROM category WHERE path >= ? AND path < ?",
                    arguments: [before.path, Self.pathUpperBound(before.path)]) ?? 0
                // Slashes count depth + 1 per path; the deepest descendant moves by the same offset.
                let deepest = (subtreeHeight - 1) - before.depth + after.depth
                guard deepest <= maxDepth else { throw CatalogError.categoryTooDeep(maximum: maxDepth) }
            }
            if moved || CategoryRules.nameKey(after.name) != CategoryRules.nameKey(before.name) {
                try Self.requireFreeName(db, name: after.name, parentId: after.parentId, except: id)
            }
            after.version += 1
            after.updatedAt = Millis.truncate(now)
            do {
                try db.execute(
                    sql: """
                        UPDATE category SET name = ?, name_key = ?, parent_id = ?, parent_key = ?, version = ?, updated_ms = ?
                        WHERE id = ?
                        """,
                    arguments: [after.name, CategoryRules.nameKey(after.name), after.parentId, after.parentId ?? "", after.version,
                                Millis.of(after.updatedAt), id])
                if moved {
                    // Every path in the subtree swaps the old prefix for the new one (the category's own included).
                    try db.execute(
                        sql: "UPDATE category SET path = ? || substr(path, ?) WHERE path >= ? AND path < ?",
                        arguments: [after.path, before.path.utf8.count + 1, before.path, Self.pathUpperBound(before.path)])
                }
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw CatalogError.siblingNameTaken(after.name)
            }
            if renamed {
                try Outbox.enqueue(CategoryRenamed(categoryId: id, oldName: before.name, newName: after.name, version: after.version,
                                                   at: after.updatedAt),
                                   metadata: metadata, occurredAt: after.updatedAt, in: db)
            }
            if moved {
                try Outbox.enqueue(CategoryMoved(categoryId: id, oldParentId: before.parentId, newParentId: after.parentId,
                                                 oldPath: before.path, newPath: after.path, version: after.version,
                                                 at: after.updatedAt),
                                   metadata: metadata, occurredAt: after.updatedAt, in: db)
            }
            return after
        }
    }

    /// Deletes a category that has neither children nor products, with `CategoryDeleted`.
    func deleteCategory(id: String, now: Date, metadata: EventMetadata) async throws {
        try await database.write { db in
            guard let category = try Self.fetchCategory(db, id: id) else { throw CatalogError.categoryNotFound }
            let children = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM category WHERE parent_id = ?", arguments: [id]) ?? 0
            let products = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM product_category WHERE category_id = ?", arguments: [id]) ?? 0
            guard children == 0, products == 0 else { throw CatalogError.categoryNotEmpty(children: children, products: products) }
            try db.execute(sql: "DELETE FROM category WHERE id = ?", arguments: [id])
            let at = Millis.truncate(now)
            try Outbox.enqueue(CategoryDeleted(categoryId: id, parentId: category.parentId, path: category.path, at: at),
                               metadata: metadata, occurredAt: at, in: db)
        }
    }

    // MARK: Shared SQL

    static func fetchCategory(_ db: Database, id: String) throws -> Category? {
        try Row.fetchOne(db, sql: "SELECT * FROM category WHERE id = ?", arguments: [id]).map(decodeCategory)
    }

    static func fetchSubtree(_ db: Database, path: String) throws -> [Category] {
        try Row.fetchAll(db, sql: "SELECT * FROM category WHERE path >= ? AND path < ?",
                         arguments: [path, pathUpperBound(path)]).map(decodeCategory)
    }

    /// Paths of a subtree are the strings from `path` (inclusive) to this bound (exclusive): `path` ends
    /// with '/', and '0' is the character after '/', so the range is exactly the prefix and uses the index.
    static func pathUpperBound(_ path: String) -> String {
        String(path.dropLast()) + "0"
    }

    static func requireFreeName(_ db: Database, name: String, parentId: String?, except id: String?) throws {
        let taken = try Bool.fetchOne(
            db, sql: "SELECT EXISTS(SELECT 1 FROM category WHERE parent_key = ? AND name_key = ? AND id != ?)",
            arguments: [parentId ?? "", CategoryRules.nameKey(name), id ?? ""]) ?? false
        if taken { throw CatalogError.siblingNameTaken(name) }
    }

    static func decodeCategory(_ row: Row) throws -> Category {
        Category(id: row["id"], name: row["name"], parentId: row["parent_id"], path: row["path"], version: row["version"],
                 createdAt: Millis.date(row["created_ms"]), updatedAt: Millis.date(row["updated_ms"]))
    }
}
