import Contracts
import Foundation
import GRDB
import ServiceKit

/// What `schedule` answers; every failure is thrown.
public enum ScheduleOutcome: Sendable, Equatable {
    /// A new shipment (201).
    case created(ShipmentRecord)
    /// The order's existing shipment (200): the first request won.
    case existing(ShipmentRecord)
}

/// Shipping's use cases, assembled: the store, the carrier and the clock. HTTP routes and the command
/// consumer both come through here, so `POST /shipping/schedule` and `CreateShipment` run the same code.
public struct Shipping: Sendable {
    public let store: ShippingStore
    public let carrier: any Carrier
    public let clock: ServiceClock

    public init(store: ShippingStore, carrier: any Carrier, clock: ServiceClock = .system) {
        self.store = store
        self.carrier = carrier
        self.clock = clock
    }

    // MARK: Creating

    /// Creates the order's shipment, or finds the one it has. A refused destination or a cancelled order
    /// throws (422) after `ShipmentCreationFailed` was committed, so the saga hears of it either way.
    public func schedule(_ request: ShipmentRequest, metadata: EventMetadata) async throws -> ScheduleOutcome {
        let problems = request.problems()
        if !problems.isEmpty { throw ShippingError.validation(problems) }
        let carrier = carrier
        let now = clock.now()
        let outcome = try await store.database.write { db in
            try ShippingStore.createShipment(request, carrier: carrier, now: now, metadata: metadata, db)
        }
        switch outcome {
        case .created(let record):
            return .created(record)
        case .existing(let record):
            return .existing(record)
        case .failed(let failure) where failure.reason == ShipmentCreationFailed.orderCancelled:
            throw ShippingError.orderCancelled(orderId: failure.orderId)
        case .failed(let failure):
            throw ShippingError.destinationRefused(country: request.shipTo.country, detail: failure.reasonDetail)
        }
    }

    /// `CreateShipment` inside the consumer's transaction: an invalid command is answered with a final
    /// `ShipmentCreationFailed(INVALID_REQUEST)` rather than retried, since no retry can make it valid.
    func handle(_ command: CreateShipment, metadata: EventMetadata, _ db: Database) throws -> CreateOutcome {
        let request = ShipmentRequest(command)
        let problems = request.problems()
        let now = clock.now()
        guard problems.isEmpty else {
            let detail = problems.map { "\($0.field) \($0.message)" }.joined(separator: "; ")
            let failure = ShipmentCreationFailed(orderId: command.orderId, reason: ShipmentCreationFailed.invalidRequest,
                                                 reasonDetail: detail, retryable: false, failedAt: now)
            try Outbox.enqueue(failure, metadata: metadata, occurredAt: now, in: db)
            return .failed(failure)
        }
        return try ShippingStore.createShipment(request, carrier: carrier, now: now, metadata: metadata, db)
    }

    /// `CancelShipment` inside the consumer's transaction.
    func handle(_ command: CancelShipment, metadata: EventMetadata, _ db: Database) throws -> CancelOutcome {
        let orderId = Identifier.canonical(command.orderId) ?? command.orderId
        return try ShippingStore.cancelShipment(orderId: orderId, reason: command.reason, now: clock.now(), metadata: metadata, db)
    }

    // MARK: Carrier events

    public func recordCarrierEvent(_ event: CarrierEvent, shipmentId: String, metadata: EventMetadata) async throws -> CarrierEventOutcome {
        guard let id = Identifier.canonical(shipmentId) else { throw ShippingError.notFound(what: "shipment", id: shipmentId) }
        let now = clock.now()
        return try await store.database.write { db in
            try ShippingStore.recordCarrierEvent(event, shipmentId: id, now: now, metadata: metadata, db)
        }
    }

    // MARK: Reading

    /// The shipment, if `viewer` may see it (its order's owner, or an admin); otherwise not found.
    public func shipment(id: String, viewer: Principal) async throws -> ShipmentRecord {
        guard let id = Identifier.canonical(id), let record = try await store.record(shipmentId: id) else {
            throw ShippingError.notFound(what: "shipment", id: id)
        }
        try Self.requireOwner(record, viewer: viewer)
        return record
    }

    /// The order's shipment with its history, if `viewer` owns the order (or is an admin).
    public func tracking(orderId: String, viewer: Principal) async throws -> ShipmentRecord {
        guard let id = Identifier.canonical(orderId), let record = try await store.record(orderId: id) else {
            throw ShippingError.notFound(what: "shipment of order", id: orderId)
        }
        try Self.requireOwner(record, viewer: viewer)
        return record
    }

    private static func requireOwner(_ record: ShipmentRecord, viewer: Principal) throws {
        guard viewer.subject == record.shipment.userId || viewer.isAdmin else {
            // The same answer as an unknown id, so other users' ids cannot be probed.
            throw ShippingError.notFound(what: "shipment", id: record.shipment.id)
        }
    }
}
