import Foundation

// The order events other services consume before the order service exists (API.md §8, key: order id).
// Payment keeps a payable-order projection from the first four; catalog's `verified_purchase` comes
// from `OrderDelivered`.

/// One line of a placed order, priced by the order service.
public struct OrderLine: Codable, Sendable, Hashable {
    public var productId: String
    public var sku: String
    public var name: String
    public var quantity: Int
    public var unitPrice: Money
    public var lineTotal: Money

    public init(productId: String, sku: String, name: String, quantity: Int, unitPrice: Money, lineTotal: Money) {
        self.productId = productId
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
    }
}

/// An order was placed (`PENDING_RESERVATION`).
public struct OrderPlaced: DomainEvent, Equatable {
    public static let eventType = "OrderPlaced"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var userId: String
    public var lines: [OrderLine]
    public var subtotal: Money
    public var total: Money
    public var shippingAddress: AddressSnapshot
    public var billingAddress: AddressSnapshot
    public var placedAt: Date
    public var aggregateId: String { orderId }

    public init(
        orderId: String, userId: String, lines: [OrderLine], subtotal: Money, total: Money,
        shippingAddress: AddressSnapshot, billingAddress: AddressSnapshot, placedAt: Date
    ) {
        self.orderId = orderId
        self.userId = userId
        self.lines = lines
        self.subtotal = subtotal
        self.total = total
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.placedAt = placedAt
    }
}

/// The order entered `AWAITING_PAYMENT` (on every entry: after the reservation and after a retryable decline).
public struct OrderAwaitingPayment: DomainEvent, Equatable {
    public static let eventType = "OrderAwaitingPayment"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var userId: String
    public var total: Money
    /// The reservation's expiry.
    public var paymentDueBy: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, userId: String, total: Money, paymentDueBy: Date) {
        self.orderId = orderId
        self.userId = userId
        self.total = total
        self.paymentDueBy = paymentDueBy
    }
}

/// The order's payment was captured.
public struct OrderPaid: DomainEvent, Equatable {
    public static let eventType = "OrderPaid"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var paymentId: String
    public var amount: Money
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, amount: Money) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.amount = amount
    }
}

/// The order ended cancelled; `reason` is one of API.md §4.3's `cancelReason` values.
public struct OrderCancelled: DomainEvent, Equatable {
    public static let eventType = "OrderCancelled"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var reason: String
    public var refundRequired: Bool
    public var aggregateId: String { orderId }

    public init(orderId: String, reason: String, refundRequired: Bool) {
        self.orderId = orderId
        self.reason = reason
        self.refundRequired = refundRequired
    }
}

/// The carrier delivered the order: its buyer may now review its products.
public struct OrderDelivered: DomainEvent, Equatable {
    public static let eventType = "OrderDelivered"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var userId: String
    public var productIds: [String]
    public var deliveredAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, userId: String, productIds: [String], deliveredAt: Date) {
        self.orderId = orderId
        self.userId = userId
        self.productIds = productIds
        self.deliveredAt = deliveredAt
    }
}
