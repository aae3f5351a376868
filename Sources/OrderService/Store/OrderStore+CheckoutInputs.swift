import Contracts
import Foundation
import GRDB
import ServiceKit

// What `POST /orders` reads from the cart and the projections inside its transaction. (Stubs until the
// cart and projections land: they answer "nothing".)
extension OrderStore {
    /// The caller's cart, each line priced from the catalog projection; a line whose product the projection
    /// does not know is absent from the answer's prices (reported as `productStatus` `UNKNOWN`).
    static func pricedCart(userId: String, _ db: Database) throws -> [PricedCartLine] { [] }

    /// Empties the caller's cart.
    static func clearCart(userId: String, _ db: Database) throws {}

    /// The buyer's snapshot from the customer projection (and IAM's email); fields unknown are nil.
    static func customerSnapshot(userId: String, _ db: Database) throws -> CustomerSnapshot { CustomerSnapshot() }

    /// The caller's address-book entry `addressId` from the projection, nil when it is not there.
    static func addressFromBook(userId: String, addressId: String, _ db: Database) throws -> AddressSnapshot? { nil }

    /// Whether IAM said the account is disabled.
    static func isAccountDisabled(userId: String, _ db: Database) throws -> Bool { false }
}
