import Contracts
import Foundation

/// One order's parcel: where it goes, what is in it, and where the carrier says it is. At most one per
/// order (`order_id` is unique), owned by the order's user.
public struct Shipment: Sendable, Equatable {
    public var id: String
    public var orderId: String
    /// The order's owner (from `CreateShipment` / the schedule request): who may track it.
    public var userId: String
    public var status: ShipmentStatus
    public var carrier: String
    public var trackingNumber: String?
    public var method: ShippingMethod
    /// The carrier's price, not charged to the customer in v1.
    public var cost: Money
    public var shipTo: AddressSnapshot
    public var lines: [ProductQuantity]
    public var estimatedDeliveryAt: Date?
    public var shippedAt: Date?
    public var deliveredAt: Date?
    /// Set by a `DELIVERY_FAILED` carrier event with `final: true`: only `RETURNED_TO_SENDER` may follow.
    public var deliveryFailureFinal: Bool
    public var createdAt: Date
    public var updatedAt: Date
    /// 1 on creation, +1 per change.
    public var version: Int
}

/// One entry of a shipment's tracking history, in the order it was applied.
public struct TrackingEvent: Sendable, Equatable {
    public var status: ShipmentStatus
    public var location: String?
    public var occurredAt: Date
    /// The carrier's id of the event; nil for the events shipping records itself (label, cancellation).
    public var carrierEventId: String?
}

/// What the warehouse picks for an order, from inventory's `StockCommitted`.
public struct PickListLine: Sendable, Equatable {
    public var productId: String
    public var warehouseId: String
    public var quantity: Int
}

/// A shipment with its history and its pick list (empty until the stock commit arrives).
public struct ShipmentRecord: Sendable, Equatable {
    public var shipment: Shipment
    public var events: [TrackingEvent]
    public var pickList: [PickListLine]
}
