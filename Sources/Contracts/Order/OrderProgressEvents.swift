import Foundation

// The rest of the order's stream (API.md §8, `order.order.v1`, key: order id): what happens to an order
// after payment, and its cancellation and refund. Consumers today are notification and analytics (none in
// this repository yet), so every field is what such a consumer needs without calling back.

/// A cancellation started (customer request or a saga compensation); the order is `CANCELLATION_PENDING`.
public struct OrderCancellationRequested: DomainEvent, Equatable {
    public static let eventType = "OrderCancellationRequested"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    /// `CUSTOMER` or `SYSTEM`.
    public var requestedBy: String
    /// One of API.md §4.3's `cancelReason` values.
    public var reason: String
    public var requestedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, requestedBy: String, reason: String, requestedAt: Date) {
        self.orderId = orderId
        self.requestedBy = requestedBy
        self.reason = reason
        self.requestedAt = requestedAt
    }
}

/// The parcel left the warehouse (`SHIPPED`).
public struct OrderShipped: DomainEvent, Equatable {
    public static let eventType = "OrderShipped"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var shipmentId: String
    public var carrier: String
    public var trackingNumber: String
    public var shippedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, carrier: String, trackingNumber: String, shippedAt: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.shippedAt = shippedAt
    }
}

/// The return window elapsed after delivery (`COMPLETED`).
public struct OrderCompleted: DomainEvent, Equatable {
    public static let eventType = "OrderCompleted"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var closedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, closedAt: Date) {
        self.orderId = orderId
        self.closedAt = closedAt
    }
}

/// The customer asked to return a delivered order (`RETURN_REQUESTED`).
public struct OrderReturnRequested: DomainEvent, Equatable {
    public static let eventType = "OrderReturnRequested"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var lines: [ProductQuantity]
    public var reason: String
    public var requestedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, lines: [ProductQuantity], reason: String, requestedAt: Date) {
        self.orderId = orderId
        self.lines = lines
        self.reason = reason
        self.requestedAt = requestedAt
    }
}

/// The goods came back (a received return, or the carrier returned the parcel): `RETURNED`.
public struct OrderReturned: DomainEvent, Equatable {
    public static let eventType = "OrderReturned"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var lines: [ProductQuantity]
    /// `CUSTOMER_RETURN`, `RETURNED_TO_SENDER` or `DELIVERY_FAILED`.
    public var reason: String
    public var returnedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, lines: [ProductQuantity], reason: String, returnedAt: Date) {
        self.orderId = orderId
        self.lines = lines
        self.reason = reason
        self.returnedAt = returnedAt
    }
}

/// Everything captured for the order was given back (`REFUNDED`).
public struct OrderRefunded: DomainEvent, Equatable {
    public static let eventType = "OrderRefunded"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.orderOrder

    public var orderId: String
    public var paymentId: String
    /// The cumulative amount refunded (equals what was captured).
    public var amount: Money
    /// The last refund's id at the payment service.
    public var refundId: String?
    public var refundedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, paymentId: String, amount: Money, refundId: String?, refundedAt: Date) {
        self.orderId = orderId
        self.paymentId = paymentId
        self.amount = amount
        self.refundId = refundId
        self.refundedAt = refundedAt
    }
}
