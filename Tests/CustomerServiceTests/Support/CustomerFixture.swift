import Contracts
import Foundation
import GRDB
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

@testable import CustomerService

/// The use cases over their own SQLite file (one per test), with a manual clock.
struct CustomerFixture {
    let customers: Customers
    let database: ServiceDatabase
    let clock: ManualClock
    let directory: URL

    var store: CustomerStore { customers.store }

    static func make(_ configure: (inout CustomerConfiguration) -> Void = { _ in }) throws -> CustomerFixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("customer-tests-\(UUID().uuidString.lowercased())")
        let database = try ServiceDatabase(path: directory.appendingPathComponent("customer.sqlite").path,
                                           migrations: CustomerStore.migrations)
        var configuration = CustomerConfiguration()
        configure(&configuration)
        let clock = ManualClock()
        let customers = Customers(store: CustomerStore(database: database), configuration: configuration, clock: clock.serviceClock)
        return CustomerFixture(customers: customers, database: database, clock: clock, directory: directory)
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }

    static func newUser() -> TokenIdentity {
        let id = UUID().uuidString.lowercased()
        return TokenIdentity(userId: id, email: "\(id.prefix(8))@example.com")
    }

    /// Applies an `iam.user.v1` event the way the consumer does (inside one transaction).
    func apply(_ event: some DomainEvent, eventId: String = UUID().uuidString.lowercased()) async throws {
        let payload = try EventCoding.encoder().encode(event)
        let received = try ReceivedEvent(
            topic: Topics.iamUser, partition: 0, offset: 0,
            headers: ["event-id": eventId, "event-type": type(of: event).eventType,
                      "event-version": String(type(of: event).eventVersion)],
            key: event.aggregateId, payload: Array(payload))
        let handler = IAMUserEvents(clock: clock.serviceClock)
        try await database.write { db in try handler.apply(received, db) }
    }

    func disable(_ userId: String) async throws {
        try await apply(UserAccountStatusChanged(userId: userId, enabled: false, locked: false, expired: false,
                                                 credentialsExpired: false, reason: "disabled-by-admin"))
    }

    /// The outbox rows in insertion order.
    func outbox(userId: String? = nil) async throws -> [OutboxRow] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id").map { row in
                OutboxRow(topic: row["topic"], eventType: row["event_type"], aggregateId: row["aggregate_id"], payload: row["payload"])
            }
        }.filter { userId == nil || $0.aggregateId == userId }
    }

    func profileCount(userId: String) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_profile WHERE user_id = ?", arguments: [userId]) ?? 0
        }
    }
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

/// A valid address input; `tweak` changes it.
func sampleAddress(_ tweak: (inout AddressInput) -> Void = { _ in }) -> AddressInput {
    var input = AddressInput(label: "Home", recipientName: "Ada Lovelace", phone: "+44 20 7946 0000", line1: "12 St James's Square",
                             city: "London", postalCode: "SW1Y 4JH", country: "GB")
    tweak(&input)
    return input
}

/// Runs `body` and returns the CustomerError it threw (nil, and an issue, when it threw nothing or something else).
func customerError(_ body: () async throws -> some Any) async -> CustomerError? {
    do {
        _ = try await body()
        Issue.record("expected a CustomerError, got success")
        return nil
    } catch let error as CustomerError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
