import Foundation
import Logging
import ServiceKit
import ShopTestSupport

@testable import OrderService

/// The order service in process on a free port, with its own SQLite file, a real broker and a token issuer.
final class OrderServerFixture: Sendable {
    let broker: BrokerProcess
    let issuer: TestTokenIssuer
    let server: LiveServer
    let store: OrderStore
    let dataDirectory: String
    var client: EnvelopeClient { EnvelopeClient(baseURL: server.baseURL) }

    static func with(_ body: (OrderServerFixture) async throws -> Void) async throws {
        let dataDirectory = NSTemporaryDirectory() + "order-http-tests-" + UUID().uuidString
        let broker = try await BrokerProcess(dataDirectory: dataDirectory + "/broker")
        let issuer = try await TestTokenIssuer.start()
        var environment = issuer.environment
        environment["DATA_DIR"] = dataDirectory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        environment["PORT"] = "0"
        let config = try ServiceConfig(serviceName: "order", defaultPort: 0, environment: environment)
        let app = try await OrderServer.makeApp(config: config, environment: environment)
        let server = try await LiveServer("order") { onRunning in app.application(onServerRunning: onRunning) }
        let fixture = OrderServerFixture(broker: broker, issuer: issuer, server: server,
                                         store: try OrderStore.open(path: config.databasePath), dataDirectory: dataDirectory)
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    private init(broker: BrokerProcess, issuer: TestTokenIssuer, server: LiveServer, store: OrderStore, dataDirectory: String) {
        self.broker = broker
        self.issuer = issuer
        self.server = server
        self.store = store
        self.dataDirectory = dataDirectory
    }

    func stop() async {
        await server.stop()
        await issuer.stop()
        broker.shutdown()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }
}
