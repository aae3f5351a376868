import Contracts
import Foundation
import GRDB
import ServiceKit

/// A cart as API.md §4.1 shows it: each line priced from `catalog_price` now, with its total, and the sums.
public struct PricedCart: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var line: PricedCartLine
        public var lineTotal: Money
    }

    public var lines: [Line]
    /// In `SHOP_CURRENCY`; zero for an empty cart.
    public var subtotal: Money
    /// The sum of the quantities.
    public var itemCount: Int
    public var updatedAt: Date

    /// Prices `lines` in `currency`. A price in another currency, or a total beyond `Int64`, cannot be
    /// shown honestly: `OrderError.unpriceable` (422).
    static func pricing(_ lines: [PricedCartLine], currency: Currency, updatedAt: Date) throws(OrderError) -> PricedCart {
        var priced: [Line] = []
        var subtotal = Money.zero(currency)
        var itemCount = 0
        for var line in lines {
            // An unknown product has no price; its zero is taken as the shop's currency.
            if line.productStatus == OrderStore.unknownProductStatus { line.unitPrice = .zero(currency) }
            guard line.unitPrice.currency == currency else {
                throw .unpriceable(reason: "product \(line.productId) is priced in \(line.unitPrice.currency.code), not \(currency.code)")
            }
            do {
                let total = try line.unitPrice.multiplied(by: line.quantity)
                subtotal = try subtotal + total
                priced.append(Line(line: line, lineTotal: total))
            } catch {
                throw .unpriceable(reason: "the total exceeds the largest amount (\(error))")
            }
            itemCount += line.quantity
        }
        return PricedCart(lines: priced, subtotal: subtotal, itemCount: itemCount, updatedAt: updatedAt)
    }
}

// The cart: quantities per (user, product); prices are never stored, they are read from the projection.
extension OrderStore {
    /// The most lines a cart holds (API.md §1.6).
    static let maxCartLines = 50
    /// What a line shows for a product the projection does not know (cannot happen through the API: a
    /// line is only added after the product is in the projection).
    static let unknownProductStatus = "UNKNOWN"

    /// The caller's cart priced now. A cart never written shows `now` as its `updatedAt`.
    static func cart(userId: String, currency: Currency, now: Date, _ db: Database) throws -> PricedCart {
        let updatedAt = try Date.fetchOne(db, sql: "SELECT updated_at FROM cart WHERE user_id = ?", arguments: [userId]) ?? now
        return try PricedCart.pricing(try cartLines(userId: userId, db), currency: currency, updatedAt: updatedAt)
    }

    /// Sets the quantity of `productId` in the caller's cart and answers the cart. Checked against the
    /// projection inside the transaction: an unknown or draft product is 404, a discontinued one 422, a
    /// 51st line 422, and a quantity whose total overflows 422 (then nothing is written).
    static func setCartLine(userId: String, productId: String, quantity: Int, currency: Currency, now: Date,
                            _ db: Database) throws -> PricedCart {
        guard let product = try projectedProduct(id: productId, db), product.status != ProjectedProduct.draft else {
            throw OrderError.productNotFound(productId: productId)
        }
        guard product.status != ProjectedProduct.discontinued else {
            throw OrderError.productUnavailable(productId: productId, reason: "is discontinued")
        }
        let existing = try Bool.fetchOne(db, sql: "SELECT 1 FROM cart_line WHERE user_id = ? AND product_id = ?",
                                         arguments: [userId, productId]) ?? false
        if !existing {
            let lines = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cart_line WHERE user_id = ?", arguments: [userId]) ?? 0
            guard lines < maxCartLines else { throw OrderError.cartFull(limit: maxCartLines) }
        }
        try touchCart(userId: userId, now: now, db)
        try db.execute(sql: """
            INSERT INTO cart_line (user_id, product_id, quantity, added_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id, product_id) DO UPDATE SET quantity = excluded.quantity
            """, arguments: [userId, productId, quantity, now])
        // Priced before commit: an overflow throws and rolls the write back.
        return try cart(userId: userId, currency: currency, now: now, db)
    }

    /// Removes the line; the cart's `updatedAt` moves only when there was one to remove.
    static func removeCartLine(userId: String, productId: String, currency: Currency, now: Date, _ db: Database) throws -> PricedCart {
        try db.execute(sql: "DELETE FROM cart_line WHERE user_id = ? AND product_id = ?", arguments: [userId, productId])
        if db.changesCount > 0 { try touchCart(userId: userId, now: now, db) }
        return try cart(userId: userId, currency: currency, now: now, db)
    }

    /// `DELETE /cart`: every line gone, `updatedAt` now.
    static func emptyCart(userId: String, currency: Currency, now: Date, _ db: Database) throws -> PricedCart {
        try clearCart(userId: userId, db)
        try touchCart(userId: userId, now: now, db)
        return try cart(userId: userId, currency: currency, now: now, db)
    }

    private static func touchCart(userId: String, now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO cart (user_id, updated_at) VALUES (?, ?) ON CONFLICT (user_id) DO UPDATE SET updated_at = excluded.updated_at
            """, arguments: [userId, now])
    }

    /// The caller's lines in the order they were first added (rowid breaks ties within one clock tick), each priced
    /// from the projection.
    static func cartLines(userId: String, _ db: Database) throws -> [PricedCartLine] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT l.product_id, l.quantity, p.product_id AS known, p.sku, p.name, p.price_minor, p.currency, p.status, p.version
            FROM cart_line l LEFT JOIN catalog_price p ON p.product_id = l.product_id
            WHERE l.user_id = ? ORDER BY l.added_at, l.rowid
            """, arguments: [userId])
        var lines: [PricedCartLine] = []
        for row in rows {
            let productId: String = row["product_id"]
            let quantity: Int = row["quantity"]
            if (row["known"] as String?) == nil {
                lines.append(PricedCartLine(productId: productId, sku: "", name: "", quantity: quantity,
                                            // No price known: zero, which `PricedCart.pricing` puts in the shop's currency.
                                            unitPrice: Money.zero(.EUR), productStatus: unknownProductStatus))
                continue
            }
            let product = try projectedProduct(row)
            lines.append(PricedCartLine(productId: productId, sku: product.sku, name: product.name, quantity: quantity,
                                        unitPrice: product.price, productStatus: product.status))
        }
        return lines
    }
}
