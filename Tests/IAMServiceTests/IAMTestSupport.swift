import Contracts
import Foundation
import GRDB
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

@testable import IAMService

/// One IAM core over its own SQLite file (unique per test), with cheap argon2 parameters.
struct IAMFixture {
    let core: IAMCore
    let database: ServiceDatabase
    let clock: ManualClock
    let directory: URL

    var accounts: IAMAccounts { core.accounts }
    var tokens: IAMTokens { core.tokens }

    static func make(_ configure: (inout IAMConfiguration) -> Void = { _ in }) async throws -> IAMFixture {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("iam-tests-\(UUID().uuidString.lowercased())")
        let database = try ServiceDatabase(path: directory.appendingPathComponent("iam.sqlite").path,
                                           migrations: IAMStore.migrations)
        var configuration = IAMConfiguration()
        configuration.passwordHashing = .insecureFastForTests
        configure(&configuration)
        let clock = ManualClock()
        let core = try await IAMCore.start(database: database, configuration: configuration, clock: clock.serviceClock)
        return IAMFixture(core: core, database: database, clock: clock, directory: directory)
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Registers a customer with a valid password.
    @discardableResult
    func register(_ email: String, password: String = "correct horse battery") async throws -> UserAccount {
        try await accounts.register(Registration(email: email, password: password, firstName: "Ada", lastName: "Lovelace",
                                                 phoneNumber: "+44 20 7946 0000"))
    }

    /// The outbox rows in insertion order.
    func outbox() async throws -> [OutboxRow] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox ORDER BY id").map { row in
                OutboxRow(topic: row["topic"], eventType: row["event_type"], aggregateId: row["aggregate_id"],
                          payload: row["payload"], metadataHeaders: row["headers"])
            }
        }
    }
}

struct OutboxRow: Sendable {
    var topic: String
    var eventType: String
    var aggregateId: String
    var payload: Data
    var metadataHeaders: String

    func decode<Event: DomainEvent>(_ type: Event.Type) throws -> Event {
        try EventCoding.decoder().decode(type, from: payload)
    }

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: payload)) as? [String: Any] ?? [:]
    }
}

/// Runs `body` and returns the IAMError it threw (nil when it threw nothing or something else).
func iamError(_ body: () async throws -> some Any) async -> IAMError? {
    do {
        _ = try await body()
        return nil
    } catch let error as IAMError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}
