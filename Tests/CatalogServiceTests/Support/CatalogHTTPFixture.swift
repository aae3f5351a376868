import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceKit
import ShopTestSupport

@testable import CatalogService

/// The assembled catalog app served on loopback (`.live`), trusting a `TestTokenIssuer`, with tokens for
/// an administrator, a customer and a service client. The broker address is a free port with nothing
/// on it unless a test passes a real one: the outbox simply waits.
struct CatalogHTTPFixture: Sendable {
    let client: EnvelopeClient
    let adminToken: String
    let customerToken: String
    let customerId: String
    let serviceToken: String
    let issuer: TestTokenIssuer

    static var quietLogger: Logger {
        var logger = Logger(label: "catalog-test")
        logger.logLevel = .critical
        return logger
    }

    static func environment(issuer: TestTokenIssuer, dataDirectory: String, bootstrap: String?) -> [String: String] {
        var environment = issuer.environment
        environment["DATA_DIR"] = dataDirectory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap ?? "127.0.0.1:\(BrokerProcess.freePort())"
        environment["OUTBOX_POLL_INTERVAL_MS"] = "100"
        environment["PORT"] = "0"
        return environment
    }

    static func makeApp(environment: [String: String]) async throws -> ServiceApp {
        let config = try ServiceConfig(serviceName: CatalogServer.name, defaultPort: 0, environment: environment)
        return try await CatalogServer.makeApp(config: config, environment: environment, logger: quietLogger)
    }

    /// Runs the app for `body`; the data directory is removed afterwards unless the caller gave one.
    static func withServer<Value: Sendable>(dataDirectory: String? = nil, bootstrap: String? = nil,
                                            extra: [String: String] = [:],
                                            _ body: @Sendable (CatalogHTTPFixture) async throws -> Value) async throws -> Value {
        let issuer = try await TestTokenIssuer.start()
        let directory = dataDirectory ?? NSTemporaryDirectory() + "catalog-http-" + UUID().uuidString
        defer { if dataDirectory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        do {
            var environment = Self.environment(issuer: issuer, dataDirectory: directory, bootstrap: bootstrap)
            for (key, value) in extra { environment[key] = value }
            let app = try await makeApp(environment: environment)
            let customerId = UUID().uuidString.lowercased()
            let adminToken = try await issuer.userToken(roles: ["admin"])
            let customerToken = try await issuer.userToken(subject: customerId)
            let serviceToken = try await issuer.serviceToken(clientId: "order-service", scopes: ["catalog.read"])
            let value = try await app.application().test(.live) { client in
                guard let port = client.port else { throw TestFailure("the live test client has no port") }
                let fixture = CatalogHTTPFixture(client: EnvelopeClient(baseURL: "http://127.0.0.1:\(port)"), adminToken: adminToken,
                                                 customerToken: customerToken, customerId: customerId, serviceToken: serviceToken,
                                                 issuer: issuer)
                return try await body(fixture)
            }
            await issuer.stop()
            return value
        } catch {
            await issuer.stop()
            throw error
        }
    }

    // MARK: helpers

    func createCategory(_ name: String, parent: String? = nil) async throws -> String {
        var body: [String: JSONValue] = ["name": .string(name)]
        if let parent { body["parentId"] = .string(parent) }
        let answer = try await client.send(.POST, "/categories", json: .object(body), bearer: adminToken)
        guard answer.status == 201, let id = answer.data?["id"]?.stringValue else {
            throw TestFailure("POST /categories \(name): \(answer.status) \(answer.text)")
        }
        return id
    }

    func createProduct(_ sku: String, name: String? = nil, price: Int64 = 1999, categories: [String] = [],
                       status: String? = nil, description: String? = nil) async throws -> String {
        var body: [String: JSONValue] = [
            "sku": .string(sku), "name": .string(name ?? "Product \(sku)"),
            "price": ["amountMinor": .integer(price), "currency": "EUR"],
            "categoryIds": .array(categories.map { .string($0) }),
        ]
        if let status { body["status"] = .string(status) }
        if let description { body["description"] = .string(description) }
        let answer = try await client.send(.POST, "/products", json: .object(body), bearer: adminToken)
        guard answer.status == 201, let id = answer.data?["id"]?.stringValue else {
            throw TestFailure("POST /products \(sku): \(answer.status) \(answer.text)")
        }
        return id
    }
}
