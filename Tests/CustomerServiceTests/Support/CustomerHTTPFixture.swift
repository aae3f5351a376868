import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceKit
import ShopTestSupport

@testable import CustomerService

/// The assembled customer service in process on a real loopback socket, trusting a `TestTokenIssuer`.
/// Without messaging (no broker): the outbox rows are still written and read from `database`.
struct CustomerHTTPFixture: Sendable {
    let client: EnvelopeClient
    let issuer: TestTokenIssuer
    let database: ServiceDatabase

    /// Runs `body` against the service and stops it afterwards. By default everything is fresh and removed
    /// at the end; a test that restarts the service passes its own `dataDirectory` and `issuer` (and keeps
    /// them), and `messaging` with `KAFKA_BOOTSTRAP_SERVERS` in `environment` to run the relay and consumer.
    static func with<Value: Sendable>(environment extra: [String: String] = [:], dataDirectory: String? = nil,
                                      issuer sharedIssuer: TestTokenIssuer? = nil, messaging: Bool = false,
                                      _ body: @Sendable (CustomerHTTPFixture) async throws -> Value) async throws -> Value {
        let issuer: TestTokenIssuer
        if let sharedIssuer { issuer = sharedIssuer } else { issuer = try await TestTokenIssuer.start() }
        let directory = dataDirectory ?? NSTemporaryDirectory() + "customer-http-" + UUID().uuidString.lowercased()
        defer { if dataDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        var environment = issuer.environment
        environment["DATA_DIR"] = directory
        environment["LOG_LEVEL"] = "warning"
        for (key, value) in extra { environment[key] = value }
        do {
            let config = try ServiceConfig(serviceName: CustomerServer.name, defaultPort: 0, environment: environment)
            let app = try await CustomerServer.makeApp(config: config, environment: environment, clock: .system, messaging: messaging)
            // A second handle on the service's file, for assertions on the outbox and for setting IAM state.
            let database = try ServiceDatabase(path: config.databasePath, migrations: CustomerStore.migrations)
            let value = try await app.application().test(.live) { client in
                guard let port = client.port else { throw TestFailure("the live test client has no port") }
                return try await body(CustomerHTTPFixture(client: EnvelopeClient(baseURL: "http://127.0.0.1:\(port)"),
                                                          issuer: issuer, database: database))
            }
            if sharedIssuer == nil { await issuer.stop() }
            return value
        } catch {
            if sharedIssuer == nil { await issuer.stop() }
            throw error
        }
    }

    /// A customer's token for a new user id.
    func customer(_ subject: String = UUID().uuidString.lowercased()) async throws -> (userId: String, token: String) {
        (subject, try await issuer.userToken(subject: subject))
    }

    func admin() async throws -> String {
        try await issuer.userToken(roles: ["admin"])
    }

    func outboxEventTypes(userId: String) async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db, sql: "SELECT event_type FROM outbox WHERE aggregate_id = ? ORDER BY id", arguments: [userId])
        }
    }

    func profileCount(userId: String) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer_profile WHERE user_id = ?", arguments: [userId]) ?? 0
        }
    }

    /// Records of `topic` the consumer has applied or skipped (the stored next offsets, summed over partitions).
    func consumedRecords(topic: String) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offset WHERE topic = ?", arguments: [topic]) ?? 0
        }
    }

    func unpublishedOutboxRows() async throws -> Int {
        try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL") ?? 0 }
    }
}
