import Contracts
import Foundation
import ServiceKit
import ShopTestSupport

@testable import ShippingService

/// The assembled shipping service served in process on loopback (port 0), trusting a `TestTokenIssuer`,
/// with its own data directory. Without `brokerBootstrap` it points at a port where nothing listens: HTTP
/// works, the relay keeps its events for later.
final class ShippingServerFixture: Sendable {
    let issuer: TestTokenIssuer
    let server: LiveServer
    let dataDirectory: String
    let client: EnvelopeClient

    static func start(brokerBootstrap: String? = nil) async throws -> ShippingServerFixture {
        let issuer = try await TestTokenIssuer.start()
        let dataDirectory = NSTemporaryDirectory() + "shipping-http-" + UUID().uuidString.lowercased()
        var environment = issuer.environment
        environment["DATA_DIR"] = dataDirectory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = brokerBootstrap ?? "127.0.0.1:\(BrokerProcess.freePort())"
        environment["OUTBOX_POLL_INTERVAL_MS"] = "200"
        environment["LOG_LEVEL"] = "warning"
        let config = try ServiceConfig(serviceName: ShippingServer.name, defaultPort: 0, environment: environment)
        let app = try await ShippingServer.makeApp(config: config, environment: environment)
        let server = try await LiveServer("shipping") { onRunning in app.application(onServerRunning: onRunning) }
        return ShippingServerFixture(issuer: issuer, server: server, dataDirectory: dataDirectory)
    }

    private init(issuer: TestTokenIssuer, server: LiveServer, dataDirectory: String) {
        self.issuer = issuer
        self.server = server
        self.dataDirectory = dataDirectory
        client = EnvelopeClient(baseURL: server.baseURL)
    }

    /// Runs `body` against a fresh service and stops it afterwards, whether `body` throws or not.
    static func run(brokerBootstrap: String? = nil, _ body: (ShippingServerFixture) async throws -> Void) async throws {
        let fixture = try await start(brokerBootstrap: brokerBootstrap)
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    func stop() async {
        await server.stop()
        await issuer.stop()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    // MARK: Tokens

    func adminToken() async throws -> String { try await issuer.userToken(roles: ["admin"]) }
    func userToken(_ userId: String) async throws -> String { try await issuer.userToken(subject: userId) }
    func writerToken() async throws -> String { try await issuer.serviceToken(clientId: "ops-tool", scopes: ["shipping.write"]) }
    func carrierToken() async throws -> String { try await issuer.serviceToken(clientId: "carrier-sim", scopes: ["shipping.carrier"]) }

    // MARK: Requests

    static func scheduleBody(orderId: String = ShippingFixture.newId(), userId: String = ShippingFixture.newId(),
                             method: String = "STANDARD", country: String = "GB") -> JSONValue {
        [
            "orderId": .string(orderId), "userId": .string(userId), "method": .string(method),
            "shipTo": ["recipientName": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
                       "postalCode": "SW1Y 4JH", "country": .string(country)],
            "lines": [["productId": .string(ShippingFixture.newId()), "quantity": 2]],
        ]
    }

    func schedule(_ body: JSONValue, bearer: String?) async throws -> EnvelopeClient.Answer {
        try await client.send(.POST, "/shipping/schedule", json: body, bearer: bearer)
    }

    func postEvent(_ shipmentId: String, _ body: JSONValue, bearer: String?) async throws -> EnvelopeClient.Answer {
        try await client.send(.POST, "/shipping/shipments/\(shipmentId)/events", json: body, bearer: bearer)
    }

    /// Schedules a shipment for a new order of `userId` and answers its id.
    func scheduledShipment(userId: String, orderId: String = ShippingFixture.newId()) async throws -> String {
        let answer = try await schedule(Self.scheduleBody(orderId: orderId, userId: userId), bearer: try await writerToken())
        guard answer.status == 201, let id = answer.data?["id"]?.stringValue else {
            throw TestError("schedule answered \(answer.status): \(answer.text)")
        }
        return id
    }
}

extension JSONValue {
    /// A schedule body with other `lines`.
    func replacing(lines: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members["lines"] = lines
        return .object(members)
    }
}
