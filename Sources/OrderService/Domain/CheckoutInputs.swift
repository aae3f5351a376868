import Contracts
import Foundation

/// A cart line priced from the catalog projection (never from the client).
public struct PricedCartLine: Sendable, Equatable {
    public var productId: String
    public var sku: String
    public var name: String
    public var quantity: Int
    public var unitPrice: Money
    /// The catalog status: `ACTIVE`, `DISCONTINUED` (or `DRAFT` for a product that became a draft).
    public var productStatus: String

    public init(productId: String, sku: String, name: String, quantity: Int, unitPrice: Money, productStatus: String) {
        self.productId = productId
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.productStatus = productStatus
    }
}

/// The buyer as the order keeps them (API.md §4.2's `customer`).
public struct CustomerSnapshot: Codable, Sendable, Equatable {
    public var email: String?
    public var name: String?
    public var phone: String?

    public init(email: String? = nil, name: String? = nil, phone: String? = nil) {
        self.email = email
        self.name = name
        self.phone = phone
    }
}
