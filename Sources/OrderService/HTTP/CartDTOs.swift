import Contracts
import Foundation
import ServiceKit

/// The cart on the wire (API.md §4.1).
struct CartDTO: Codable, Sendable {
    var items: [CartItemDTO]
    var subtotal: Money
    var itemCount: Int
    var updatedAt: Date

    init(_ cart: PricedCart) {
        items = cart.lines.map(CartItemDTO.init)
        subtotal = cart.subtotal
        itemCount = cart.itemCount
        updatedAt = cart.updatedAt
    }

    static var example: CartDTO {
        let price = Money(amountMinor: 1999, currency: .EUR)
        let line = PricedCartLine(productId: "0193a1b2-0000-7000-8000-000000000001", sku: "TS-RED-M", name: "Red T-shirt",
                                  quantity: 2, unitPrice: price, productStatus: ProjectedProduct.active)
        let total = Money(amountMinor: 3998, currency: .EUR)
        return CartDTO(PricedCart(lines: [PricedCart.Line(line: line, lineTotal: total)], subtotal: total, itemCount: 2,
                                  updatedAt: Date(timeIntervalSince1970: 1_764_000_000)))
    }
}

/// One line: the quantity the user set, priced from the catalog projection now.
struct CartItemDTO: Codable, Sendable {
    var productId: String
    var sku: String
    var name: String
    var quantity: Int
    var unitPrice: Money
    var lineTotal: Money
    /// `ACTIVE`, `DISCONTINUED` (checkout refuses it), or `DRAFT` when catalog withdrew it.
    var productStatus: String

    init(_ priced: PricedCart.Line) {
        productId = priced.line.productId
        sku = priced.line.sku
        name = priced.line.name
        quantity = priced.line.quantity
        unitPrice = priced.line.unitPrice
        lineTotal = priced.lineTotal
        productStatus = priced.line.productStatus
    }
}

/// The body of `PUT /cart/items/{productId}`: the line's quantity (set, not added).
struct CartItemRequest: Codable, Sendable, ValidatedBody {
    var quantity: Int

    static let rules: [FieldRule<Self>] = [.integer("quantity", \.quantity, 1...99)]
    static let example = CartItemRequest(quantity: 2)
}
