/// A postal address copied at a moment (an order's ship-to, a shipment's destination): later edits of the
/// address book never change it. Field rules are the customer service's AddressInput (API.md §2).
public struct AddressSnapshot: Codable, Sendable, Hashable {
    /// The address-book entry it was copied from, when there was one.
    public var addressId: String?
    public var recipientName: String
    public var phone: String?
    public var line1: String
    public var line2: String?
    public var city: String
    public var state: String?
    public var postalCode: String
    /// ISO-3166-1 alpha-2, upper case.
    public var country: String

    public init(
        addressId: String? = nil, recipientName: String, phone: String? = nil, line1: String, line2: String? = nil,
        city: String, state: String? = nil, postalCode: String, country: String
    ) {
        self.addressId = addressId
        self.recipientName = recipientName
        self.phone = phone
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.country = country
    }
}

/// One product and a quantity: an order's line as the saga's commands and replies carry it.
public struct ProductQuantity: Codable, Sendable, Hashable {
    public var productId: String
    public var quantity: Int

    public init(productId: String, quantity: Int) {
        self.productId = productId
        self.quantity = quantity
    }
}
