import Contracts
import Foundation
import ServiceKit

// Wire shapes of the order API (API.md §4.2), each with an example for /openapi.json.

/// `POST /orders`' body; everything else in it is ignored (prices, totals and user ids come from the server).
/// An address id that is not a UUID names no address: the 422 of an unknown one, not a shape error.
struct PlaceOrderRequest: Codable, Sendable, ValidatedBody {
    var shippingAddressId: String
    var billingAddressId: String?

    static let rules: [FieldRule<Self>] = [
        .text("shippingAddressId", \.shippingAddressId, length: 1...100),
        .text("billingAddressId", \.billingAddressId, length: 1...100),
    ]

    static let example = PlaceOrderRequest(shippingAddressId: "0193a0f2-1111-7c3d-9a41-2f6e8d1c0b7a",
                                           billingAddressId: "0193a0f2-2222-7c3d-9a41-2f6e8d1c0b7a")
}

/// `POST /orders/{id}/cancel`'s optional body.
struct CancelOrderRequest: Codable, Sendable, ValidatedBody {
    var reason: String?
    static let rules: [FieldRule<Self>] = [.text("reason", \.reason, length: 0...OrderRoutes.maximumReasonLength)]
    static let example = CancelOrderRequest(reason: "Ordered the wrong size")
}

/// `POST /orders/{id}/return`'s body.
struct ReturnOrderRequest: Codable, Sendable, ValidatedBody {
    var reason: String
    static let rules: [FieldRule<Self>] = [.text("reason", \.reason, length: 1...OrderRoutes.maximumReasonLength)]
    static let example = ReturnOrderRequest(reason: "Too small")
}

struct OrderItemDTO: Codable, Sendable {
    var productId: String
    var sku: String
    var name: String
    var quantity: Int
    var listPrice: Money
    var unitPrice: Money
    var lineTotal: Money
}

struct CustomerDTO: Codable, Sendable {
    var email: String?
    var name: String?
    var phone: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(email, forKey: .email)
        try container.encode(name, forKey: .name)
        try container.encode(phone, forKey: .phone)
    }
}

/// An address snapshot with every key present (null where absent), as API.md §4.2 shows it.
struct AddressDTO: Codable, Sendable {
    var addressId: String?
    var recipientName: String
    var phone: String?
    var line1: String
    var line2: String?
    var city: String
    var state: String?
    var postalCode: String
    var country: String

    init(_ address: AddressSnapshot) {
        addressId = address.addressId
        recipientName = address.recipientName
        phone = address.phone
        line1 = address.line1
        line2 = address.line2
        city = address.city
        state = address.state
        postalCode = address.postalCode
        country = address.country
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(addressId, forKey: .addressId)
        try container.encode(recipientName, forKey: .recipientName)
        try container.encode(phone, forKey: .phone)
        try container.encode(line1, forKey: .line1)
        try container.encode(line2, forKey: .line2)
        try container.encode(city, forKey: .city)
        try container.encode(state, forKey: .state)
        try container.encode(postalCode, forKey: .postalCode)
        try container.encode(country, forKey: .country)
    }
}

struct StatusHistoryDTO: Codable, Sendable {
    var status: String
    var at: Date
    var reason: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(status, forKey: .status)
        try container.encode(at, forKey: .at)
        try container.encode(reason, forKey: .reason)
    }
}

/// API.md §4.2's Order. Every key is present; absent values are null.
struct OrderDTO: Codable, Sendable {
    var id: String
    var userId: String
    var status: String
    var cancelReason: String?
    var stuck: Bool
    var items: [OrderItemDTO]
    var subtotal: Money
    var discountTotal: Money
    var shippingTotal: Money
    var taxTotal: Money
    var total: Money
    var customer: CustomerDTO
    var shippingAddress: AddressDTO
    var billingAddress: AddressDTO
    var paymentDueBy: Date?
    var paymentAttempts: Int
    var paymentId: String?
    var shipmentId: String?
    var carrier: String?
    var trackingNumber: String?
    var statusHistory: [StatusHistoryDTO]
    var placedAt: Date
    var updatedAt: Date
    var version: Int

    init(_ order: Order) {
        let saga = order.saga
        let zero = Money.zero(saga.total.currency)
        id = saga.id
        userId = saga.userId
        status = saga.status.rawValue
        cancelReason = saga.cancelReason?.rawValue
        stuck = saga.stuck
        items = saga.lines.map { OrderItemDTO(productId: $0.productId, sku: $0.sku, name: $0.name, quantity: $0.quantity,
                                              listPrice: $0.unitPrice, unitPrice: $0.unitPrice, lineTotal: $0.lineTotal) }
        subtotal = order.subtotal
        discountTotal = zero
        shippingTotal = zero
        taxTotal = zero
        total = saga.total
        customer = CustomerDTO(email: order.customer.email, name: order.customer.name, phone: order.customer.phone)
        shippingAddress = AddressDTO(saga.shippingAddress)
        billingAddress = AddressDTO(order.billingAddress)
        paymentDueBy = saga.paymentDueBy
        paymentAttempts = saga.paymentAttempts
        paymentId = saga.paymentId
        shipmentId = saga.shipmentId
        carrier = saga.carrier
        trackingNumber = saga.trackingNumber
        statusHistory = order.history.map { StatusHistoryDTO(status: $0.status.rawValue, at: $0.at, reason: $0.reason) }
        placedAt = order.placedAt
        updatedAt = order.updatedAt
        version = saga.version
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(userId, forKey: .userId)
        try c.encode(status, forKey: .status)
        try c.encode(cancelReason, forKey: .cancelReason)
        try c.encode(stuck, forKey: .stuck)
        try c.encode(items, forKey: .items)
        try c.encode(subtotal, forKey: .subtotal)
        try c.encode(discountTotal, forKey: .discountTotal)
        try c.encode(shippingTotal, forKey: .shippingTotal)
        try c.encode(taxTotal, forKey: .taxTotal)
        try c.encode(total, forKey: .total)
        try c.encode(customer, forKey: .customer)
        try c.encode(shippingAddress, forKey: .shippingAddress)
        try c.encode(billingAddress, forKey: .billingAddress)
        try c.encode(paymentDueBy, forKey: .paymentDueBy)
        try c.encode(paymentAttempts, forKey: .paymentAttempts)
        try c.encode(paymentId, forKey: .paymentId)
        try c.encode(shipmentId, forKey: .shipmentId)
        try c.encode(carrier, forKey: .carrier)
        try c.encode(trackingNumber, forKey: .trackingNumber)
        try c.encode(statusHistory, forKey: .statusHistory)
        try c.encode(placedAt, forKey: .placedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(version, forKey: .version)
    }

    static let example: OrderDTO = {
        let at = Date(timeIntervalSince1970: 1_764_100_886.123)
        let price = Money(amountMinor: 1999, currency: .EUR)
        let total = Money(amountMinor: 3998, currency: .EUR)
        let address = AddressSnapshot(addressId: "0193a0f2-1111-7c3d-9a41-2f6e8d1c0b7a", recipientName: "Ada Lovelace",
                                      line1: "12 St James's Sq", city: "London", postalCode: "SW1Y 4JH", country: "GB")
        let saga = SagaOrder(id: "0193a0f2-5b1e-7c3d-9a41-2f6e8d1c0b7a", userId: "0193a0f2-2222-7c3d-9a41-2f6e8d1c0b7a",
                             status: .awaitingPayment,
                             lines: [OrderLine(productId: "0193a0f2-3333-7c3d-9a41-2f6e8d1c0b7a", sku: "TS-RED-M", name: "Red T-shirt",
                                               quantity: 2, unitPrice: price, lineTotal: total)],
                             total: total, shippingAddress: address, paymentDueBy: at.addingTimeInterval(900), version: 2)
        return OrderDTO(Order(saga: saga, subtotal: total, customer: CustomerSnapshot(email: "ada@example.com", name: "Ada Lovelace"),
                              billingAddress: address, placedAt: at, updatedAt: at,
                              history: [Order.HistoryEntry(status: .pendingReservation, at: at, reason: nil),
                                        Order.HistoryEntry(status: .awaitingPayment, at: at, reason: nil)]))
    }()
}

/// API.md §4.2's OrderSummary.
struct OrderSummaryDTO: Codable, Sendable {
    var id: String
    var status: String
    var cancelReason: String?
    var stuck: Bool
    var total: Money
    var itemCount: Int
    var placedAt: Date
    var updatedAt: Date

    init(_ summary: OrderSummary) {
        id = summary.id
        status = summary.status.rawValue
        cancelReason = summary.cancelReason?.rawValue
        stuck = summary.stuck
        total = summary.total
        itemCount = summary.itemCount
        placedAt = summary.placedAt
        updatedAt = summary.updatedAt
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        try c.encode(cancelReason, forKey: .cancelReason)
        try c.encode(stuck, forKey: .stuck)
        try c.encode(total, forKey: .total)
        try c.encode(itemCount, forKey: .itemCount)
        try c.encode(placedAt, forKey: .placedAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `{items, nextCursor}`; `nextCursor` is null on the last page.
struct OrderPageDTO: Codable, Sendable {
    var items: [OrderSummaryDTO]
    var nextCursor: String?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }

    static let example = OrderPageDTO(items: [OrderSummaryDTO(OrderSummary(
        id: OrderDTO.example.id, status: .awaitingPayment, cancelReason: nil, stuck: false, total: OrderDTO.example.total, itemCount: 2,
        placedAt: OrderDTO.example.placedAt, updatedAt: OrderDTO.example.updatedAt))], nextCursor: nil)
}

/// The opaque `cursor` of the order lists: the last item's position and the filters it was made under,
/// base64url JSON. A cursor used with other filters, or damaged, is refused (400).
enum OrderListCursor {
    private struct Body: Codable {
        var placedAt: String
        var id: String
        var query: String
    }

    static func encode(_ position: OrderListPosition, query: OrderListQuery) -> String {
        let body = Body(placedAt: Timestamp.format(position.placedAt), id: position.id, query: query.fingerprint)
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String, query: OrderListQuery) -> OrderListPosition? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard text.count <= 512, let data = Data(base64Encoded: base64), let body = try? JSONDecoder().decode(Body.self, from: data),
              body.query == query.fingerprint, let placedAt = Timestamp.parse(body.placedAt) else { return nil }
        return OrderListPosition(placedAt: placedAt, id: body.id)
    }
}
