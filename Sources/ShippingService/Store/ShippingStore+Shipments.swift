import Contracts
import Foundation
import GRDB
import ServiceKit

/// The result of asking for an order's shipment.
public enum CreateOutcome: Sendable, Equatable {
    /// A new shipment, `LABEL_CREATED` (201); `ShipmentCreated` and `ShipmentLabelCreated` were published.
    case created(ShipmentRecord)
    /// The order already had one (200): the first request wins, nothing changed, nothing was published.
    case existing(ShipmentRecord)
    /// No shipment; this `ShipmentCreationFailed` was published.
    case failed(ShipmentCreationFailed)
}

/// The result of `CancelShipment`.
public enum CancelOutcome: Sendable, Equatable {
    /// The shipment (or, with no shipment yet, the order) is now cancelled; `ShipmentCancelled` published.
    case cancelled(shipmentId: String?)
    /// It was cancelled before: nothing changed, nothing published.
    case alreadyCancelled
    /// The parcel already left; nothing changed; `ShipmentCancellationRejected` published.
    case rejected(status: ShipmentStatus)
}

extension ShippingStore {
    // MARK: Reads

    func record(shipmentId: String) async throws -> ShipmentRecord? {
        try await database.read { db in try Self.fetchShipment(db, id: shipmentId).map { try Self.fetchRecord(db, $0) } }
    }

    func record(orderId: String) async throws -> ShipmentRecord? {
        try await database.read { db in try Self.fetchShipment(db, orderId: orderId).map { try Self.fetchRecord(db, $0) } }
    }

    // MARK: Writes (inside the caller's transaction)

    /// Creates the order's shipment unless it has one (or its shipment was cancelled first): asks the carrier
    /// for a label and records the shipment `LABEL_CREATED` with its first tracking event, or publishes why not.
    /// `request` must be valid (`problems()` empty).
    static func createShipment(_ request: ShipmentRequest, carrier: any Carrier, now: Date, metadata: EventMetadata,
                               _ db: Database) throws -> CreateOutcome {
        let request = request.canonicalized()
        if let existing = try fetchShipment(db, orderId: request.orderId) {
            return .existing(try fetchRecord(db, existing))
        }
        if try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM cancelled_order WHERE order_id = ?)", arguments: [request.orderId]) ?? false {
            return .failed(try fail(orderId: request.orderId, reason: ShipmentCreationFailed.orderCancelled,
                                    detail: "the order's shipment was cancelled before it was created", retryable: false,
                                    now: now, metadata: metadata, db))
        }
        let shipmentId = EventID.make(at: now)
        let label: Label
        switch carrier.createLabel(LabelRequest(shipmentId: shipmentId, orderId: request.orderId, method: request.method,
                                                shipTo: request.shipTo, lines: request.lines, requestedAt: now)) {
        case .refused(let reason, let detail, let retryable):
            return .failed(try fail(orderId: request.orderId, reason: reason, detail: detail, retryable: retryable,
                                    now: now, metadata: metadata, db))
        case .created(let created):
            label = created
        }
        try db.execute(
            sql: """
                INSERT INTO shipment (id, order_id, user_id, status, carrier, tracking_number, method, cost_minor, currency,
                    ship_to, lines, estimated_delivery_at, shipped_at, delivered_at, delivery_failure_final, created_at,
                    updated_at, version)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, ?, ?, 1)
                """,
            arguments: [shipmentId, request.orderId, request.userId, ShipmentStatus.labelCreated.rawValue, carrier.name,
                        label.trackingNumber, request.method.rawValue, label.cost.amountMinor, label.cost.currency.code,
                        try JSONColumn.encode(request.shipTo), try JSONColumn.encode(request.lines),
                        label.estimatedDeliveryAt, now, now])
        try insertTrackingEvent(db, shipmentId: shipmentId, carrierEventId: nil, status: .labelCreated,
                                location: label.location, occurredAt: now, recordedAt: now)
        try Outbox.enqueue(ShipmentCreated(orderId: request.orderId, shipmentId: shipmentId, method: request.method, cost: label.cost,
                                           estimatedDeliveryAt: label.estimatedDeliveryAt, createdAt: now),
                           metadata: metadata, occurredAt: now, in: db)
        try Outbox.enqueue(ShipmentLabelCreated(orderId: request.orderId, shipmentId: shipmentId, carrier: carrier.name,
                                                trackingNumber: label.trackingNumber, createdAt: now),
                           metadata: metadata, occurredAt: now, in: db)
        guard let shipment = try fetchShipment(db, id: shipmentId) else {
            throw ShippingError.corruptRow(table: "shipment", id: shipmentId, reason: "not found right after its insert")
        }
        return .created(try fetchRecord(db, shipment))
    }

    private static func fail(orderId: String, reason: String, detail: String, retryable: Bool, now: Date,
                             metadata: EventMetadata, _ db: Database) throws -> ShipmentCreationFailed {
        let failure = ShipmentCreationFailed(orderId: orderId, reason: reason, reasonDetail: detail, retryable: retryable, failedAt: now)
        try Outbox.enqueue(failure, metadata: metadata, occurredAt: now, in: db)
        return failure
    }

    /// Applies one carrier event: a `carrierEventId` seen before on this shipment is a replay (no change); a
    /// status the table refuses throws `transitionNotAllowed`; otherwise the shipment moves, the event joins
    /// the history and its domain event is published.
    static func recordCarrierEvent(_ event: CarrierEvent, shipmentId: String, now: Date, metadata: EventMetadata,
                                   _ db: Database) throws -> CarrierEventOutcome {
        guard var shipment = try fetchShipment(db, id: shipmentId) else {
            throw ShippingError.notFound(what: "shipment", id: shipmentId)
        }
        if let seenOn = try String.fetchOne(db, sql: "SELECT shipment_id FROM shipment_event WHERE carrier_event_id = ?",
                                            arguments: [event.carrierEventId]) {
            guard seenOn == shipmentId else { throw ShippingError.carrierEventIdTaken(carrierEventId: event.carrierEventId) }
            return .replayed(try fetchRecord(db, shipment))
        }
        guard ShipmentTransitions.allows(from: shipment.status, finalFailure: shipment.deliveryFailureFinal, to: event.status) else {
            throw ShippingError.transitionNotAllowed(shipmentId: shipmentId, from: shipment.status,
                                                     finalFailure: shipment.deliveryFailureFinal, to: event.status.shipmentStatus)
        }
        let occurredAt = event.occurredAt ?? now
        let previousVersion = shipment.version
        shipment.status = event.status.shipmentStatus
        shipment.deliveryFailureFinal = event.status == .deliveryFailed && event.final
        switch event.status {
        case .dispatched: shipment.shippedAt = occurredAt
        case .delivered: shipment.deliveredAt = occurredAt
        case .inTransit, .deliveryFailed, .returnedToSender: break
        }
        shipment.version += 1
        shipment.updatedAt = now
        try db.execute(
            sql: """
                UPDATE shipment SET status = ?, delivery_failure_final = ?, shipped_at = ?, delivered_at = ?, version = ?,
                    updated_at = ? WHERE id = ? AND version = ?
                """,
            arguments: [shipment.status.rawValue, shipment.deliveryFailureFinal, shipment.shippedAt, shipment.deliveredAt,
                        shipment.version, shipment.updatedAt, shipmentId, previousVersion])
        // Writes are serialised, so the version cannot have moved since the read above; a miss is a bug.
        guard db.changesCount == 1 else {
            throw ShippingError.corruptRow(table: "shipment", id: shipmentId, reason: "version \(previousVersion) changed during the transaction")
        }
        try insertTrackingEvent(db, shipmentId: shipmentId, carrierEventId: event.carrierEventId, status: shipment.status,
                                location: event.location, occurredAt: occurredAt, recordedAt: now)
        try publish(event, for: shipment, occurredAt: occurredAt, metadata: metadata, db)
        guard let stored = try fetchShipment(db, id: shipmentId) else {
            throw ShippingError.corruptRow(table: "shipment", id: shipmentId, reason: "not found right after its update")
        }
        return .applied(try fetchRecord(db, stored))
    }

    /// The domain event of each carrier status (API.md §7).
    private static func publish(_ event: CarrierEvent, for shipment: Shipment, occurredAt: Date, metadata: EventMetadata,
                                _ db: Database) throws {
        switch event.status {
        case .dispatched:
            try Outbox.enqueue(ShipmentDispatched(orderId: shipment.orderId, shipmentId: shipment.id, carrier: shipment.carrier,
                                                  trackingNumber: shipment.trackingNumber ?? "", shippedAt: occurredAt),
                               metadata: metadata, occurredAt: occurredAt, in: db)
        case .inTransit:
            try Outbox.enqueue(ShipmentTrackingUpdated(orderId: shipment.orderId, shipmentId: shipment.id, status: .inTransit,
                                                       location: event.location, occurredAt: occurredAt),
                               metadata: metadata, occurredAt: occurredAt, in: db)
        case .delivered:
            try Outbox.enqueue(ShipmentDelivered(orderId: shipment.orderId, shipmentId: shipment.id, deliveredAt: occurredAt),
                               metadata: metadata, occurredAt: occurredAt, in: db)
        case .deliveryFailed:
            try Outbox.enqueue(ShipmentDeliveryFailed(orderId: shipment.orderId, shipmentId: shipment.id, reason: event.location,
                                                      final: event.final, occurredAt: occurredAt),
                               metadata: metadata, occurredAt: occurredAt, in: db)
        case .returnedToSender:
            try Outbox.enqueue(ShipmentReturnedToSender(orderId: shipment.orderId, shipmentId: shipment.id, at: occurredAt),
                               metadata: metadata, occurredAt: occurredAt, in: db)
        }
    }

    /// Cancels the order's shipment while the carrier does not have the parcel. With no shipment yet, the
    /// order is remembered as cancelled so that a later `CreateShipment` ships nothing.
    static func cancelShipment(orderId: String, reason: String, now: Date, metadata: EventMetadata,
                               _ db: Database) throws -> CancelOutcome {
        guard var shipment = try fetchShipment(db, orderId: orderId) else {
            let alreadyCancelled = try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM cancelled_order WHERE order_id = ?)",
                                                     arguments: [orderId]) ?? false
            if alreadyCancelled { return .alreadyCancelled }
            try db.execute(sql: "INSERT INTO cancelled_order (order_id, reason, cancelled_at) VALUES (?, ?, ?)",
                           arguments: [orderId, reason, now])
            try Outbox.enqueue(ShipmentCancelled(orderId: orderId, shipmentId: nil, reason: reason, at: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .cancelled(shipmentId: nil)
        }
        if shipment.status == .cancelled { return .alreadyCancelled }
        guard ShipmentTransitions.isCancellable(shipment.status) else {
            try Outbox.enqueue(ShipmentCancellationRejected(orderId: orderId, shipmentId: shipment.id, status: shipment.status,
                                                            reason: "the carrier already has the parcel; return it instead", at: now),
                               metadata: metadata, occurredAt: now, in: db)
            return .rejected(status: shipment.status)
        }
        let previousVersion = shipment.version
        shipment.status = .cancelled
        shipment.version += 1
        try db.execute(sql: "UPDATE shipment SET status = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?",
                       arguments: [shipment.status.rawValue, shipment.version, now, shipment.id, previousVersion])
        try insertTrackingEvent(db, shipmentId: shipment.id, carrierEventId: nil, status: .cancelled, location: nil,
                                occurredAt: now, recordedAt: now)
        try Outbox.enqueue(ShipmentCancelled(orderId: orderId, shipmentId: shipment.id, reason: reason, at: now),
                           metadata: metadata, occurredAt: now, in: db)
        return .cancelled(shipmentId: shipment.id)
    }

    // MARK: Rows

    static func insertTrackingEvent(_ db: Database, shipmentId: String, carrierEventId: String?, status: ShipmentStatus,
                                    location: String?, occurredAt: Date, recordedAt: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO shipment_event (shipment_id, carrier_event_id, status, location, occurred_at, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [shipmentId, carrierEventId, status.rawValue, location, occurredAt, recordedAt])
    }

    static func fetchShipment(_ db: Database, id: String) throws -> Shipment? {
        try Row.fetchOne(db, sql: "SELECT * FROM shipment WHERE id = ?", arguments: [id]).map(decodeShipment)
    }

    static func fetchShipment(_ db: Database, orderId: String) throws -> Shipment? {
        try Row.fetchOne(db, sql: "SELECT * FROM shipment WHERE order_id = ?", arguments: [orderId]).map(decodeShipment)
    }

    /// The shipment with its history (oldest first, in the order applied) and its order's pick list.
    static func fetchRecord(_ db: Database, _ shipment: Shipment) throws -> ShipmentRecord {
        let events = try Row.fetchAll(db, sql: "SELECT * FROM shipment_event WHERE shipment_id = ? ORDER BY id",
                                      arguments: [shipment.id]).map { row in
            let id: Int64 = row["id"]
            guard let status = ShipmentStatus(rawValue: row["status"]) else {
                throw ShippingError.corruptRow(table: "shipment_event", id: String(id), reason: "unknown status")
            }
            return TrackingEvent(status: status, location: row["location"], occurredAt: row["occurred_at"],
                                 carrierEventId: row["carrier_event_id"])
        }
        return ShipmentRecord(shipment: shipment, events: events, pickList: try pickList(db, orderId: shipment.orderId))
    }

    static func decodeShipment(_ row: Row) throws -> Shipment {
        let id: String = row["id"]
        guard let status = ShipmentStatus(rawValue: row["status"]), let method = ShippingMethod(rawValue: row["method"]) else {
            throw ShippingError.corruptRow(table: "shipment", id: id, reason: "unknown status or method")
        }
        let currencyCode: String = row["currency"]
        guard let currency = try? Currency(code: currencyCode) else {
            throw ShippingError.corruptRow(table: "shipment", id: id, reason: "unknown currency \(currencyCode)")
        }
        return Shipment(
            id: id, orderId: row["order_id"], userId: row["user_id"], status: status, carrier: row["carrier"],
            trackingNumber: row["tracking_number"], method: method,
            cost: Money(amountMinor: row["cost_minor"], currency: currency),
            shipTo: try JSONColumn.decode(AddressSnapshot.self, row["ship_to"], table: "shipment", id: id),
            lines: try JSONColumn.decode([ProductQuantity].self, row["lines"], table: "shipment", id: id),
            estimatedDeliveryAt: row["estimated_delivery_at"], shippedAt: row["shipped_at"], deliveredAt: row["delivered_at"],
            deliveryFailureFinal: row["delivery_failure_final"], createdAt: row["created_at"], updatedAt: row["updated_at"],
            version: row["version"])
    }
}
