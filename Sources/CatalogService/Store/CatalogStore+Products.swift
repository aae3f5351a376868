import Contracts
import Foundation
import GRDB
import ServiceKit

extension CatalogStore {
    // MARK: Reads

    func product(id: String) async throws -> Product? {
        try await database.read { db in try Self.fetchProducts(db, ids: [id]).first }
    }

    // MARK: Writes

    /// Inserts a product with its category links and `ProductCreated`. `skuTaken` when the SKU exists in
    /// any letter case, `unknownCategories` when a category does not exist.
    func insertProduct(_ product: Product, metadata: EventMetadata) async throws {
        try await database.write { db in
            let skuKey = product.sku.lowercased()
            if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM product WHERE sku_key = ?)", arguments: [skuKey]) ?? false {
                throw CatalogError.skuTaken(product.sku)
            }
            try Self.requireCategories(db, product.categoryIds)
            do {
                try db.execute(
                    sql: """
                        INSERT INTO product (id, sku, sku_key, name, name_key, description, price_minor, currency, status,
                                             version, created_ms, updated_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [product.id, product.sku, skuKey, product.name, product.name.lowercased(), product.description,
                                product.price.amountMinor, product.price.currency.code, product.status.rawValue,
                                product.version, Millis.of(product.createdAt), Millis.of(product.updatedAt)])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw CatalogError.skuTaken(product.sku)  // a concurrent insert won the race
            }
            try Self.replaceCategories(db, productId: product.id, with: product.categoryIds)
            try Outbox.enqueue(
                ProductCreated(productId: product.id, sku: product.sku, name: product.name, description: product.description,
                               price: product.price, categoryIds: product.categoryIds, status: product.status.rawValue,
                               version: product.version, createdAt: product.createdAt),
                metadata: metadata, occurredAt: product.createdAt, in: db)
        }
    }

    /// Applies an administrator's change in one transaction, after the checks in API.md's order (404, 409
    /// stale version, 400 nothing to change, 422 currency, categories, status), and writes the events:
    /// `ProductPriceChanged` for a new price, `ProductDiscontinued`/`ProductReactivated` for those status
    /// changes, `ProductUpdated` for new descriptive fields or a draft going live.
    func updateProduct(id: String, change: ProductChange, currency accepted: Currency, now: Date,
                       metadata: EventMetadata) async throws -> Product {
        try await database.write { db in
            guard let before = try Self.fetchProducts(db, ids: [id]).first else { throw CatalogError.productNotFound }
            guard change.expectedVersion == before.version else {
                throw CatalogError.versionConflict(what: "product", current: before.version)
            }
            var after = before
            if let name = change.name { after.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let description = change.description { after.description = description }
            if let ids = change.categoryIds { after.categoryIds = ProductRules.unique(ids) }
            if let status = change.status { after.status = status }
            if let amount = change.priceMinor {
                let code = change.currencyCode ?? accepted.code
                guard code == accepted.code else { throw CatalogError.currencyNotAccepted(given: code, accepted: accepted) }
                after.price = Money(amountMinor: amount, currency: accepted)
            }
            var changedFields: [String] = []
            if after.name != before.name { changedFields.append("name") }
            if after.description != before.description { changedFields.append("description") }
            if after.categoryIds != before.categoryIds { changedFields.append("categoryIds") }
            if after.status != before.status { changedFields.append("status") }
            let priceChanged = after.price != before.price
            guard priceChanged || !changedFields.isEmpty else { throw CatalogError.nothingToChange }
            if after.categoryIds != before.categoryIds { try Self.requireCategories(db, after.categoryIds) }
            if after.status != before.status, !before.status.canChange(to: after.status) {
                throw CatalogError.statusChangeNotAllowed(from: before.status, to: after.status)
            }

            after.version += 1
            after.updatedAt = Millis.truncate(now)
            try db.execute(
                sql: """
                    UPDATE product SET name = ?, name_key = ?, description = ?, price_minor = ?, currency = ?, status = ?,
                                       version = ?, updated_ms = ?
                    WHERE id = ?
                    """,
                arguments: [after.name, after.name.lowercased(), after.description, after.price.amountMinor,
                            after.price.currency.code, after.status.rawValue, after.version, Millis.of(after.updatedAt), id])
            if after.categoryIds != before.categoryIds {
                try Self.replaceCategories(db, productId: id, with: after.categoryIds)
            }

            if priceChanged {
                try Outbox.enqueue(ProductPriceChanged(productId: id, oldPrice: before.price, newPrice: after.price,
                                                       effectiveAt: after.updatedAt, version: after.version),
                                   metadata: metadata, occurredAt: after.updatedAt, in: db)
            }
            switch (before.status, after.status) {
            case (.active, .discontinued):
                try Outbox.enqueue(ProductDiscontinued(productId: id, reason: nil, version: after.version, at: after.updatedAt),
                                   metadata: metadata, occurredAt: after.updatedAt, in: db)
            case (.discontinued, .active):
                try Outbox.enqueue(ProductReactivated(productId: id, reason: nil, version: after.version, at: after.updatedAt),
                                   metadata: metadata, occurredAt: after.updatedAt, in: db)
            default:
                break
            }
            // Discontinue and reactivate have their own events; anything else descriptive (a draft going
            // live included) is a ProductUpdated with the full current state.
            let described = changedFields.filter { $0 != "status" || (before.status, after.status) == (.draft, .active) }
            if !described.isEmpty {
                try Outbox.enqueue(
                    ProductUpdated(productId: id, name: after.name, description: after.description, categoryIds: after.categoryIds,
                                   status: after.status.rawValue, changedFields: described, version: after.version,
                                   updatedAt: after.updatedAt),
                    metadata: metadata, occurredAt: after.updatedAt, in: db)
            }
            return after
        }
    }

    // MARK: Shared SQL

    static let productColumns = """
        p.id, p.sku, p.name, p.description, p.price_minor, p.currency, p.status, p.rating_sum, p.rating_count,
        p.version, p.created_ms, p.updated_ms, s.in_stock, s.available
        """

    /// The products with these ids, in the order of `ids` (missing ones left out), complete with their
    /// categories and availability.
    static func fetchProducts(_ db: Database, ids: [String]) throws -> [Product] {
        guard !ids.isEmpty else { return [] }
        let rows = try Row.fetchAll(
            db, sql: "SELECT \(productColumns) FROM product p LEFT JOIN product_stock s ON s.product_id = p.id WHERE p.id IN (\(placeholders(ids.count)))",
            arguments: StatementArguments(ids))
        let byId = Dictionary(uniqueKeysWithValues: try decodeProducts(db, rows).map { ($0.id, $0) })
        return ids.compactMap { byId[$0] }
    }

    /// Decodes rows selected with `productColumns`, loading all their category links in one query.
    static func decodeProducts(_ db: Database, _ rows: [Row]) throws -> [Product] {
        let ids: [String] = rows.map { $0["id"] }
        var categories: [String: [String]] = [:]
        if !ids.isEmpty {
            let links = try Row.fetchAll(
                db, sql: "SELECT product_id, category_id FROM product_category WHERE product_id IN (\(placeholders(ids.count))) ORDER BY product_id, position",
                arguments: StatementArguments(ids))
            for link in links { categories[link["product_id"], default: []].append(link["category_id"]) }
        }
        return try rows.map { row in
            let id: String = row["id"]
            let code: String = row["currency"]
            let statusText: String = row["status"]
            guard let status = ProductStatus(rawValue: statusText) else { throw StoreCorruption("product \(id) has status \(statusText)") }
            let currency: Currency
            do { currency = try Currency(code: code) } catch { throw StoreCorruption("product \(id) has currency \(code)") }
            let inStock: Bool? = row["in_stock"]
            let available: Int? = row["available"]
            return Product(
                id: id, sku: row["sku"], name: row["name"], description: row["description"],
                price: Money(amountMinor: row["price_minor"], currency: currency), status: status,
                categoryIds: categories[id] ?? [],
                availability: inStock.map { Availability(inStock: $0, availableQuantity: available ?? 0) },
                rating: RatingSummary(sum: row["rating_sum"], count: row["rating_count"]),
                createdAt: Millis.date(row["created_ms"]), updatedAt: Millis.date(row["updated_ms"]), version: row["version"])
        }
    }

    /// Throws `unknownCategories` naming every id that is not a category.
    static func requireCategories(_ db: Database, _ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let wellFormed = ids.filter(CatalogID.isCanonical)
        var known = Set<String>()
        if !wellFormed.isEmpty {
            known = Set(try String.fetchAll(db, sql: "SELECT id FROM category WHERE id IN (\(placeholders(wellFormed.count)))",
                                            arguments: StatementArguments(wellFormed)))
        }
        let unknown = ids.filter { !known.contains($0) }
        if !unknown.isEmpty { throw CatalogError.unknownCategories(unknown) }
    }

    static func replaceCategories(_ db: Database, productId: String, with ids: [String]) throws {
        try db.execute(sql: "DELETE FROM product_category WHERE product_id = ?", arguments: [productId])
        for (position, categoryId) in ids.enumerated() {
            try db.execute(sql: "INSERT INTO product_category (product_id, category_id, position) VALUES (?, ?, ?)",
                           arguments: [productId, categoryId, position])
        }
    }
}

/// A stored row that breaks the schema's own rules (never expected; answered as a 500).
struct StoreCorruption: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
