import Contracts

/// The statuses a carrier event may carry (API.md §7). `PENDING`, `LABEL_CREATED` and `CANCELLED` are
/// shipping's own and never come from the carrier.
public enum CarrierEventStatus: String, Sendable, CaseIterable {
    case dispatched = "DISPATCHED"
    case inTransit = "IN_TRANSIT"
    case delivered = "DELIVERED"
    case deliveryFailed = "DELIVERY_FAILED"
    case returnedToSender = "RETURNED_TO_SENDER"

    public var shipmentStatus: ShipmentStatus {
        switch self {
        case .dispatched: .dispatched
        case .inTransit: .inTransit
        case .delivered: .delivered
        case .deliveryFailed: .deliveryFailed
        case .returnedToSender: .returnedToSender
        }
    }
}

/// API.md §7's transition table, exactly; everything it does not list is refused (409).
///
///     LABEL_CREATED → DISPATCHED
///     DISPATCHED | IN_TRANSIT → IN_TRANSIT | DELIVERED | DELIVERY_FAILED | RETURNED_TO_SENDER
///     DELIVERY_FAILED (not final) → IN_TRANSIT | DELIVERED | DELIVERY_FAILED | RETURNED_TO_SENDER
///     DELIVERY_FAILED (final) → RETURNED_TO_SENDER
///     DELIVERED, RETURNED_TO_SENDER, CANCELLED: terminal
public enum ShipmentTransitions {
    public static func allows(from status: ShipmentStatus, finalFailure: Bool, to next: CarrierEventStatus) -> Bool {
        switch status {
        case .labelCreated:
            next == .dispatched
        case .dispatched, .inTransit:
            next != .dispatched
        case .deliveryFailed:
            finalFailure ? next == .returnedToSender : next != .dispatched
        case .pending, .delivered, .returnedToSender, .cancelled:
            false
        }
    }

    /// A shipment may be cancelled until the carrier has the parcel.
    public static func isCancellable(_ status: ShipmentStatus) -> Bool {
        status == .pending || status == .labelCreated
    }

    public static func isTerminal(_ status: ShipmentStatus) -> Bool {
        status == .delivered || status == .returnedToSender || status == .cancelled
    }
}
