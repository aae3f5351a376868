import Contracts
import Foundation
import GRDB
import ServiceKit

// What `POST /orders` reads from the cart and the projections inside its transaction.
extension OrderStore {
    /// The caller's cart, each line priced from the catalog projection, in the order lines were added. A
    /// line whose product the projection does not know has `productStatus` `UNKNOWN`, empty sku and name,
    /// and a zero price (checkout refuses every line that is not `ACTIVE`).
    static func pricedCart(userId: String, _ db: Database) throws -> [PricedCartLine] {
        try cartLines(userId: userId, db)
    }

    /// Empties the caller's cart (the cart's `updatedAt` is left as it was).
    static func clearCart(userId: String, _ db: Database) throws {
        try db.execute(sql: "DELETE FROM cart_line WHERE user_id = ?", arguments: [userId])
    }

    /// The buyer's snapshot from the customer projection (and IAM's email); fields unknown are nil. `name`
    /// is "first last" of what is known.
    static func customerSnapshot(userId: String, _ db: Database) throws -> CustomerSnapshot {
        guard let row = try Row.fetchOne(db, sql: "SELECT email, first_name, last_name, phone FROM customer_snapshot WHERE user_id = ?",
                                         arguments: [userId]) else { return CustomerSnapshot() }
        let parts = [row["first_name"] as String?, row["last_name"] as String?].compactMap { $0 }.filter { !$0.isEmpty }
        return CustomerSnapshot(email: row["email"], name: parts.isEmpty ? nil : parts.joined(separator: " "), phone: row["phone"])
    }

    /// The caller's address-book entry `addressId` from the projection, nil when it is not there (the
    /// route then asks `ProjectionReadThrough.ensureAddress`, which reads through to customer).
    static func addressFromBook(userId: String, addressId: String, _ db: Database) throws -> AddressSnapshot? {
        try projectedAddress(userId: userId, addressId: addressId, db)
    }

    /// Whether IAM said the account is disabled (not enabled, or locked) and has not enabled it since.
    static func isAccountDisabled(userId: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT disabled FROM customer_snapshot WHERE user_id = ?", arguments: [userId]) ?? false
    }
}
