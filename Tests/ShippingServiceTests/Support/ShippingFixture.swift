import Contracts
import Foundation
import GRDB
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

@testable import ShippingService

/// Shipping's core over its own SQLite file (one per test) with the simulated carrier and a manual clock.
struct ShippingFixture {
    let shipping: Shipping
    let database: ServiceDatabase
    let clock: ManualClock
    let directory: URL

    static func make() throws -> ShippingFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shipping-tests-\(UUID().uuidString.lowercased())")
        let database = try ServiceDatabase(path: directory.appendingPathComponent("shipping.sqlite").path,
                                           migrations: ShippingStore.migrations)
        let clock = ManualClock()
        let shipping = Shipping(store: ShippingStore(database: database), carrier: SimulatedCarrier(currency: .EUR),
                                clock: clock.serviceClock)
        return ShippingFixture(shipping: shipping, database: database, clock: clock, directory: directory)
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A valid request for a new order (`country` chooses the destination).
    static func request(orderId: String = ShippingFixture.newId(), userId: String = ShippingFixture.newId(), method: ShippingMethod = .standard,
                        country: String = "GB") -> ShipmentRequest {
        ShipmentRequest(orderId: orderId, userId: userId, method: method,
                        shipTo: AddressSnapshot(recipientName: "Ada Lovelace", line1: "12 St James's Square", city: "London",
                                                postalCode: "SW1Y 4JH", country: country),
                        lines: [ProductQuantity(productId: ShippingFixture.newId(), quantity: 2)])
    }

    /// A shipment created through the same path as HTTP; fails the test if none was created.
    func createShipment(_ request: ShipmentRequest = request()) async throws -> ShipmentRecord {
        guard case .created(let record) = try await shipping.schedule(request, metadata: EventMetadata()) else {
            throw TestError("no new shipment for \(request.orderId)")
        }
        return record
    }

    /// Applies a carrier event with a fresh id.
    @discardableResult
    func post(_ status: CarrierEventStatus, to shipmentId: String, final: Bool = false, location: String? = nil) async throws -> CarrierEventOutcome {
        try await shipping.recordCarrierEvent(
            CarrierEvent(carrierEventId: "ev-" + Self.newId(), status: status, location: location, final: final),
            shipmentId: shipmentId, metadata: EventMetadata())
    }

    /// The outbox rows in insertion order.
    func outbox() async throws -> [OutboxRow] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id").map { row in
                OutboxRow(topic: row["topic"], eventType: row["event_type"], aggregateId: row["aggregate_id"], payload: row["payload"])
            }
        }
    }

    /// Runs `body` inside one write transaction, as the consumer runner runs a handler.
    func inTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await database.write(body)
    }

    static func newId() -> String { UUID().uuidString.lowercased() }
}

struct OutboxRow: Sendable {
    var topic: String
    var eventType: String
    var aggregateId: String
    var payload: Data

    func decode<Event: DomainEvent>(_ type: Event.Type) throws -> Event {
        try EventCoding.decoder().decode(type, from: payload)
    }
}

struct TestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The ShippingError `body` threw, nil when it threw nothing (another error fails the test).
func shippingError(_ body: () async throws -> some Any) async -> ShippingError? {
    do {
        _ = try await body()
        return nil
    } catch let error as ShippingError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
