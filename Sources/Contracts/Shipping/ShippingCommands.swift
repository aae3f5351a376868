import Foundation

// The order saga's commands to shipping on `shipping.commands` (API.md §8), keyed by order id and sent
// through the order service's outbox. Replies are events on `shipping.shipment.v1`.

/// Create the order's shipment. Idempotent by `orderId`: a repeat (or `POST /shipping/schedule` for the
/// same order) finds the first shipment and changes nothing. Replies `ShipmentCreated` +
/// `ShipmentLabelCreated`, or `ShipmentCreationFailed`.
public struct CreateShipment: DomainEvent, Equatable {
    public static let eventType = "CreateShipment"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.shippingCommands

    public var orderId: String
    /// The order's owner: who may track the shipment.
    public var userId: String
    public var method: ShippingMethod
    public var shipTo: AddressSnapshot
    public var lines: [ProductQuantity]
    public var aggregateId: String { orderId }

    public init(orderId: String, userId: String, method: ShippingMethod, shipTo: AddressSnapshot, lines: [ProductQuantity]) {
        self.orderId = orderId
        self.userId = userId
        self.method = method
        self.shipTo = shipTo
        self.lines = lines
    }
}

/// Cancel the order's shipment (compensation, DOMAIN.md C8/C10). Replies `ShipmentCancelled` while the
/// parcel has not left, `ShipmentCancellationRejected` once it is dispatched; a repeat changes nothing.
public struct CancelShipment: DomainEvent, Equatable {
    public static let eventType = "CancelShipment"
    public static let eventVersion = 1
    public static let aggregateType = "order"
    public static let topic = Topics.shippingCommands

    public var orderId: String
    /// One of the order's `cancelReason` values (`CUSTOMER_REQUEST`, `OUT_OF_STOCK`, …).
    public var reason: String
    public var aggregateId: String { orderId }

    public init(orderId: String, reason: String) {
        self.orderId = orderId
        self.reason = reason
    }
}
