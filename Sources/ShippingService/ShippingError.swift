import Contracts
import Foundation
import ServiceKit

/// Every failure of shipping's domain core, one documented case each (with the HTTP status it answers).
/// `ShippingErrorMapping` decides what a client sees; `description` is for the log.
public enum ShippingError: Error, Sendable, Equatable {
    /// 400: the input breaks a rule; one message per field.
    case validation([FieldError])
    /// 404: no such shipment (also a malformed id, and another user's shipment).
    case notFound(what: String, id: String)
    /// 422: the carrier refuses to ship there (`SimulatedCarrier.refusedCountry`); final, retrying will
    /// not help. `ShipmentCreationFailed` was published.
    case destinationRefused(country: String, detail: String)
    /// 422: the order's shipment was cancelled before it was created; nothing is shipped for it.
    /// `ShipmentCreationFailed(ORDER_CANCELLED)` was published.
    case orderCancelled(orderId: String)
    /// 409: the carrier event's status cannot follow the shipment's (API.md §7's transition table).
    case transitionNotAllowed(shipmentId: String, from: ShipmentStatus, finalFailure: Bool, to: ShipmentStatus)
    /// 409: this `carrierEventId` was already recorded for another shipment.
    case carrierEventIdTaken(carrierEventId: String)
    /// 500: a stored row cannot be read back (a bug or a damaged file); the client learns nothing of it.
    case corruptRow(table: String, id: String, reason: String)
}

extension ShippingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .validation(let errors):
            "validation failed: " + errors.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
        case .notFound(let what, let id):
            "\(what) \(id) not found"
        case .destinationRefused(let country, let detail):
            "the carrier refuses to ship to \(country): \(detail)"
        case .orderCancelled(let orderId):
            "the shipment of order \(orderId) was cancelled before it was created"
        case .transitionNotAllowed(let shipmentId, let from, let finalFailure, let to):
            "shipment \(shipmentId): \(to.rawValue) cannot follow \(from.rawValue)\(finalFailure ? " (final)" : "")"
        case .carrierEventIdTaken(let carrierEventId):
            "carrier event \(carrierEventId) was already recorded for another shipment"
        case .corruptRow(let table, let id, let reason):
            "\(table) row \(id) is unreadable: \(reason); inspect the database file"
        }
    }
}
