import Foundation

// The shipment stream `shipping.shipment.v1` (API.md §7–§8). Every event is keyed by the order id, so
// the order saga reads one order's replies in order on one partition; each also names the shipment.

/// A shipment's life as the carrier names it (API.md §7).
public enum ShipmentStatus: String, Codable, Sendable, CaseIterable {
    case pending = "PENDING"
    case labelCreated = "LABEL_CREATED"
    case dispatched = "DISPATCHED"
    case inTransit = "IN_TRANSIT"
    case delivered = "DELIVERED"
    case deliveryFailed = "DELIVERY_FAILED"
    case returnedToSender = "RETURNED_TO_SENDER"
    case cancelled = "CANCELLED"
}

/// How fast a parcel travels; the carrier prices and dates it (`STANDARD` 499 / +3 days, `EXPRESS` 999 / +1 day).
public enum ShippingMethod: String, Codable, Sendable, CaseIterable {
    case standard = "STANDARD"
    case express = "EXPRESS"
}

/// Saga reply to `CreateShipment`: the order has a shipment (already `LABEL_CREATED` with the simulated carrier).
public struct ShipmentCreated: DomainEvent, Equatable {
    public static let eventType = "ShipmentCreated"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String
    public var method: ShippingMethod
    /// The carrier's price; not charged to the customer in v1.
    public var cost: Money
    public var estimatedDeliveryAt: Date
    public var createdAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, method: ShippingMethod, cost: Money, estimatedDeliveryAt: Date, createdAt: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.method = method
        self.cost = cost
        self.estimatedDeliveryAt = estimatedDeliveryAt
        self.createdAt = createdAt
    }
}

/// Saga reply to `CreateShipment`: no shipment was created. `retryable == false` is final (an address the
/// carrier refuses, an invalid command, an order whose shipment was cancelled first): the saga's C9 path.
public struct ShipmentCreationFailed: DomainEvent, Equatable {
    public static let eventType = "ShipmentCreationFailed"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    /// `DESTINATION_REFUSED`, `INVALID_REQUEST` or `ORDER_CANCELLED` (see `reasonDetail` for the text).
    public static let destinationRefused = "DESTINATION_REFUSED"
    public static let invalidRequest = "INVALID_REQUEST"
    public static let orderCancelled = "ORDER_CANCELLED"

    public var orderId: String
    public var reason: String
    /// Human text for operators.
    public var reasonDetail: String
    public var retryable: Bool
    public var failedAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, reason: String, reasonDetail: String, retryable: Bool, failedAt: Date) {
        self.orderId = orderId
        self.reason = reason
        self.reasonDetail = reasonDetail
        self.retryable = retryable
        self.failedAt = failedAt
    }
}

/// The carrier created the label: the parcel has a tracking number.
public struct ShipmentLabelCreated: DomainEvent, Equatable {
    public static let eventType = "ShipmentLabelCreated"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String
    public var carrier: String
    public var trackingNumber: String
    public var createdAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, carrier: String, trackingNumber: String, createdAt: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.carrier = carrier
        self.trackingNumber = trackingNumber
        self.createdAt = createdAt
    }
}

/// The carrier picked the parcel up (order → `SHIPPED`).
public struct ShipmentDispatched: DomainEvent, Equatable {
    public static let eventType = "ShipmentDispatched"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

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

/// A carrier scan on the way (`IN_TRANSIT`), for tracking views.
public struct ShipmentTrackingUpdated: DomainEvent, Equatable {
    public static let eventType = "ShipmentTrackingUpdated"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String
    public var status: ShipmentStatus
    public var location: String?
    public var occurredAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, status: ShipmentStatus, location: String?, occurredAt: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.status = status
        self.location = location
        self.occurredAt = occurredAt
    }
}

/// The parcel was delivered (order → `DELIVERED`).
public struct ShipmentDelivered: DomainEvent, Equatable {
    public static let eventType = "ShipmentDelivered"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String
    public var deliveredAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, deliveredAt: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.deliveredAt = deliveredAt
    }
}

/// A delivery attempt failed. `final == true`: the carrier gives up and will only return the parcel
/// (order → `RETURNED`); otherwise it tries again.
public struct ShipmentDeliveryFailed: DomainEvent, Equatable {
    public static let eventType = "ShipmentDeliveryFailed"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String
    /// The carrier's words, when it gave any (its event's location).
    public var reason: String?
    public var final: Bool
    public var occurredAt: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, reason: String?, final: Bool, occurredAt: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.reason = reason
        self.final = final
        self.occurredAt = occurredAt
    }
}

/// The parcel went back to the warehouse (order → `RETURNED`, then stock return and refund).
public struct ShipmentReturnedToSender: DomainEvent, Equatable {
    public static let eventType = "ShipmentReturnedToSender"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String
    public var at: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, at: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.at = at
    }
}

/// Saga reply to `CancelShipment`: nothing will be shipped for the order. `shipmentId` is nil when the
/// order had no shipment yet; a later `CreateShipment` for it then fails with `ORDER_CANCELLED`.
public struct ShipmentCancelled: DomainEvent, Equatable {
    public static let eventType = "ShipmentCancelled"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String?
    public var reason: String
    public var at: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String?, reason: String, at: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.reason = reason
        self.at = at
    }
}

/// Saga reply to `CancelShipment` when the parcel already left (`DISPATCHED` or later): nothing changed;
/// the dispatch won the race (DOMAIN.md C10) and the customer gets the return flow instead.
public struct ShipmentCancellationRejected: DomainEvent, Equatable {
    public static let eventType = "ShipmentCancellationRejected"
    public static let eventVersion = 1
    public static let aggregateType = "shipment"
    public static let topic = Topics.shippingShipment

    public var orderId: String
    public var shipmentId: String
    /// The shipment's status when the command arrived (`DISPATCHED`, `IN_TRANSIT`, `DELIVERED`, …).
    public var status: ShipmentStatus
    public var reason: String
    public var at: Date
    public var aggregateId: String { orderId }

    public init(orderId: String, shipmentId: String, status: ShipmentStatus, reason: String, at: Date) {
        self.orderId = orderId
        self.shipmentId = shipmentId
        self.status = status
        self.reason = reason
        self.at = at
    }
}
