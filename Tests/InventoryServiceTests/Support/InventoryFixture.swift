import Contracts
import Foundation
import Hummingbird
import Logging
@testable import InventoryService
import ServiceKit
import ShopTestSupport

/// The assembled inventory service in process on a free loopback port, trusting a test token issuer,
/// with its own data directory, and (for the messaging tests) a real broker.
final class InventoryFixture: Sendable {
    let issuer: TestTokenIssuer
    let server: LiveServer
    let broker: BrokerProcess?
    let dataDirectory: String
    let brokerAddress: String
    let admin: String
    let customer: String
    /// Service clients (API.md §1.4): order-service reads, the ops tool reserves.
    let reader: String
    let reserver: String

    var client: EnvelopeClient { EnvelopeClient(baseURL: server.baseURL) }

    /// Runs `body` against a fresh service and always stops it.
    static func with<T: Sendable>(broker withBroker: Bool = false, environment extra: [String: String] = [:],
                                  _ body: @Sendable (InventoryFixture) async throws -> T) async throws -> T {
        let fixture = try await InventoryFixture(broker: withBroker, environment: extra)
        do {
            let result = try await body(fixture)
            await fixture.stop()
            return result
        } catch {
            await fixture.stop()
            throw error
        }
    }

    private init(broker withBroker: Bool, environment extra: [String: String]) async throws {
        dataDirectory = NSTemporaryDirectory() + "inventory-tests-" + UUID().uuidString
        broker = withBroker ? try await BrokerProcess(dataDirectory: dataDirectory + "/broker") : nil
        // Without a broker the relay and the consumer retry against a closed port; HTTP does not care.
        brokerAddress = broker?.bootstrap ?? "127.0.0.1:\(BrokerProcess.freePort())"
        issuer = try await TestTokenIssuer.start()
        var environment = issuer.environment
        environment["DATA_DIR"] = dataDirectory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = brokerAddress
        environment["OUTBOX_POLL_INTERVAL_MS"] = "100"
        for (key, value) in extra { environment[key] = value }
        let config = try ServiceConfig(serviceName: "inventory", defaultPort: 0, environment: environment)
        var logger = Logger(label: "inventory-test")
        logger.logLevel = .critical
        let app = try await InventoryServer.makeApp(config: config, environment: environment, clock: .system, logger: logger)
        server = try await LiveServer("inventory") { onRunning in app.application(onServerRunning: onRunning) }
        admin = try await issuer.userToken(roles: ["admin"])
        customer = try await issuer.userToken()
        reader = try await issuer.serviceToken(clientId: "order-service", scopes: ["customer.read", "catalog.read", "inventory.read"])
        reserver = try await issuer.serviceToken(clientId: "ops-tool", scopes: ["inventory.reserve", "shipping.write"])
    }

    func stop() async {
        await server.stop()
        await issuer.stop()
        broker?.shutdown()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    static func newId() -> String { UUID().uuidString.lowercased() }

    // MARK: Steps used by several tests

    func createWarehouse(_ code: String, priority: Int = 100) async throws -> String {
        let answer = try await client.send(.POST, "/warehouses", json: ["code": .string(code), "name": .string("Warehouse \(code)"),
                                                                        "priority": .integer(Int64(priority))], bearer: admin)
        guard answer.status == 201, let id = answer.data?["id"]?.stringValue else { throw TestFailure("create warehouse: \(answer.text)") }
        return id
    }

    func receive(_ productId: String, in warehouseId: String, _ quantity: Int) async throws {
        let answer = try await client.send(.POST, "/inventory/adjustments", json: [
            "productId": .string(productId), "warehouseId": .string(warehouseId), "delta": .integer(Int64(quantity)), "reason": "RECEIPT",
        ], bearer: admin)
        guard answer.status == 201 else { throw TestFailure("adjustment: \(answer.text)") }
    }

    func reserve(_ orderId: String, _ lines: [(String, Int)], token: String? = nil) async throws -> EnvelopeClient.Answer {
        try await client.send(.POST, "/inventory/reserve", json: [
            "orderId": .string(orderId),
            "lines": .array(lines.map { ["productId": .string($0.0), "quantity": .integer(Int64($0.1))] }),
        ], bearer: token ?? reserver)
    }

    /// `GET /inventory/{productId}` as the admin: (onHand, reserved) summed, and per warehouse id.
    func level(_ productId: String) async throws -> (onHand: Int, reserved: Int, rows: [String: (onHand: Int, reserved: Int)]) {
        let answer = try await client.get("/inventory/\(productId)", bearer: admin)
        guard answer.status == 200, let data = answer.data else { throw TestFailure("level: \(answer.text)") }
        var rows: [String: (onHand: Int, reserved: Int)] = [:]
        for row in data["warehouses"]?.arrayValue ?? [] {
            if let id = row["warehouseId"]?.stringValue { rows[id] = (row["onHand"]?.intValue ?? -1, row["reserved"]?.intValue ?? -1) }
        }
        return (data["onHand"]?.intValue ?? -1, data["reserved"]?.intValue ?? -1, rows)
    }

    /// The events on `inventory.stock.v1` keyed by `key`, decoded as `E`.
    func stockEvents<E: DomainEvent>(_ type: E.Type, key: String? = nil) async throws -> [E] {
        guard let broker else { throw TestFailure("no broker in this fixture") }
        return try await TopicReader.readAll(topic: Topics.inventoryStock, bootstrap: broker.bootstrap)
            .filter { $0.headers[EnvelopeHeader.eventType] == E.eventType && (key == nil || $0.key == key) }
            .map { try EventCoding.decoder().decode(E.self, from: $0.value) }
    }
}
