import Contracts
import Foundation
import GRDB
import ServiceKit

/// A product as the order service knows it: a `catalog_price` row, from catalog's events or a read-through.
public struct ProjectedProduct: Sendable, Equatable {
    public var productId: String
    public var sku: String
    public var name: String
    public var price: Money
    /// `ACTIVE`, `DISCONTINUED` or `DRAFT` (catalog's words).
    public var status: String
    /// The product's version at catalog; a change with a lower or equal one is stale.
    public var version: Int

    public init(productId: String, sku: String, name: String, price: Money, status: String, version: Int) {
        self.productId = productId
        self.sku = sku
        self.name = name
        self.price = price
        self.status = status
        self.version = version
    }

    public static let active = "ACTIVE"
    public static let discontinued = "DISCONTINUED"
    public static let draft = "DRAFT"
}

// The projections of catalog, customer and IAM streams. Every function runs inside the caller's
// transaction: the consumer runner's (with its inbox row and offset) or a read-through's upsert. Versioned
// rows are written only by a strictly newer version, so a redelivered or late event changes nothing.
extension OrderStore {
    // MARK: catalog_price

    /// Inserts the product, or replaces it when `product.version` is newer than the stored one.
    static func upsertProduct(_ product: ProjectedProduct, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO catalog_price (product_id, sku, name, price_minor, currency, status, version, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (product_id) DO UPDATE SET sku = excluded.sku, name = excluded.name, price_minor = excluded.price_minor,
                currency = excluded.currency, status = excluded.status, version = excluded.version, updated_at = excluded.updated_at
            WHERE excluded.version > catalog_price.version
            """, arguments: [product.productId, product.sku, product.name, product.price.amountMinor, product.price.currency.code,
                             product.status, product.version, now])
    }

    /// `ProductUpdated`: name and status. A product never seen is left to `ProductCreated` or read-through
    /// (this event has neither sku nor price).
    static func updateProductDetails(productId: String, name: String, status: String, version: Int, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE catalog_price SET name = ?, status = ?, version = ?, updated_at = ? WHERE product_id = ? AND version < ?
            """, arguments: [name, status, version, now, productId, version])
    }

    /// `ProductPriceChanged`.
    static func updateProductPrice(productId: String, price: Money, version: Int, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE catalog_price SET price_minor = ?, currency = ?, version = ?, updated_at = ? WHERE product_id = ? AND version < ?
            """, arguments: [price.amountMinor, price.currency.code, version, now, productId, version])
    }

    /// `ProductDiscontinued` / `ProductReactivated`.
    static func updateProductStatus(productId: String, status: String, version: Int, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE catalog_price SET status = ?, version = ?, updated_at = ? WHERE product_id = ? AND version < ?
            """, arguments: [status, version, now, productId, version])
    }

    /// The projected product, nil when the projection has never heard of it.
    static func projectedProduct(id productId: String, _ db: Database) throws -> ProjectedProduct? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM catalog_price WHERE product_id = ?", arguments: [productId]) else {
            return nil
        }
        return try projectedProduct(row)
    }

    static func projectedProduct(_ row: Row) throws -> ProjectedProduct {
        let productId: String = row["product_id"]
        let code: String = row["currency"]
        let currency: Currency
        do { currency = try Currency(code: code) } catch {
            throw OrderError.corruptRow(table: "catalog_price", id: productId, reason: "unknown currency \(code)")
        }
        return ProjectedProduct(productId: productId, sku: row["sku"], name: row["name"],
                                price: Money(amountMinor: row["price_minor"], currency: currency), status: row["status"],
                                version: row["version"])
    }

    // MARK: customer_snapshot

    /// `CustomerProfileCreated` / `CustomerProfileUpdated`: the whole profile, when newer than the stored one.
    /// The email is kept when the event has none (IAM's `UserRegistered` may have given it).
    static func upsertProfile(userId: String, email: String?, firstName: String?, lastName: String?, phone: String?,
                              version: Int, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO customer_snapshot (user_id, email, first_name, last_name, phone, profile_version, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET email = COALESCE(excluded.email, customer_snapshot.email),
                first_name = excluded.first_name, last_name = excluded.last_name, phone = excluded.phone,
                profile_version = excluded.profile_version, updated_at = excluded.updated_at
            WHERE excluded.profile_version > customer_snapshot.profile_version
            """, arguments: [userId, email, firstName, lastName, phone, version, now])
    }

    /// IAM's `UserRegistered`: the email IAM holds (the source of truth for it).
    static func recordEmail(userId: String, email: String, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO customer_snapshot (user_id, email, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at
            """, arguments: [userId, email, now])
    }

    /// IAM's `UserAccountStatusChanged`: disabled while not enabled or locked.
    static func recordAccountStatus(userId: String, disabled: Bool, at now: Date, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO customer_snapshot (user_id, disabled, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET disabled = excluded.disabled, updated_at = excluded.updated_at
            """, arguments: [userId, disabled, now])
    }

    // MARK: customer_address

    /// `AddressAdded` / `AddressUpdated` (and read-through): the entry, when newer than the stored one. An
    /// address id already owned by another user is never taken over.
    static func upsertAddress(userId: String, _ entry: AddressBookEntry, at now: Date, _ db: Database) throws {
        let address = entry.address
        try db.execute(sql: """
            INSERT INTO customer_address (address_id, user_id, label, recipient_name, phone, line1, line2, city, state, postal_code,
                country, is_default_shipping, is_default_billing, version, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (address_id) DO UPDATE SET label = excluded.label, recipient_name = excluded.recipient_name,
                phone = excluded.phone, line1 = excluded.line1, line2 = excluded.line2, city = excluded.city, state = excluded.state,
                postal_code = excluded.postal_code, country = excluded.country, is_default_shipping = excluded.is_default_shipping,
                is_default_billing = excluded.is_default_billing, version = excluded.version, updated_at = excluded.updated_at
            WHERE excluded.version > customer_address.version AND customer_address.user_id = excluded.user_id
            """, arguments: [entry.addressId, userId, entry.label, address.recipientName, address.phone, address.line1, address.line2,
                             address.city, address.state, address.postalCode, address.country, entry.isDefaultShipping,
                             entry.isDefaultBilling, entry.version, now])
    }

    /// `AddressRemoved`.
    static func removeAddress(userId: String, addressId: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM customer_address WHERE address_id = ? AND user_id = ?", arguments: [addressId, userId])
    }

    /// `DefaultAddressChanged`: exactly the named addresses carry the flags (none when nil).
    static func setDefaultAddresses(userId: String, shipping: String?, billing: String?, _ db: Database) throws {
        try db.execute(sql: """
            UPDATE customer_address SET is_default_shipping = (address_id IS ?), is_default_billing = (address_id IS ?)
            WHERE user_id = ?
            """, arguments: [shipping, billing, userId])
    }

    /// The user's address-book entry as a snapshot (`addressId` set), nil when it is not in their book.
    static func projectedAddress(userId: String, addressId: String, _ db: Database) throws -> AddressSnapshot? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM customer_address WHERE address_id = ? AND user_id = ?",
                                         arguments: [addressId, userId]) else { return nil }
        return AddressSnapshot(addressId: row["address_id"], recipientName: row["recipient_name"], phone: row["phone"],
                               line1: row["line1"], line2: row["line2"], city: row["city"], state: row["state"],
                               postalCode: row["postal_code"], country: row["country"])
    }
}
