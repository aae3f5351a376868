import Foundation

/// One event the carrier reports for a parcel (`POST /shipping/shipments/{id}/events`), validated.
public struct CarrierEvent: Sendable, Equatable {
    /// The carrier's unique id of the event: a repeat is recognised by it and changes nothing.
    public var carrierEventId: String
    public var status: CarrierEventStatus
    public var location: String?
    /// When the carrier saw it; the time it arrived when the carrier does not say.
    public var occurredAt: Date?
    /// Only with `DELIVERY_FAILED`: the carrier gives up delivering.
    public var final: Bool

    public init(carrierEventId: String, status: CarrierEventStatus, location: String? = nil, occurredAt: Date? = nil, final: Bool = false) {
        self.carrierEventId = carrierEventId
        self.status = status
        self.location = location
        self.occurredAt = occurredAt
        self.final = final
    }
}

/// The result of recording a carrier event.
public enum CarrierEventOutcome: Sendable, Equatable {
    /// The event moved the shipment (201).
    case applied(ShipmentRecord)
    /// The `carrierEventId` was seen before: nothing changed (200, `Idempotent-Replayed: true`).
    case replayed(ShipmentRecord)
}
