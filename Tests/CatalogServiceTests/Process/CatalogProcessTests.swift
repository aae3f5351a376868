import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// `shop serve catalog` as a real process: it starts from `Services.all`, publishes through its outbox,
/// and keeps its writes (search index included) across a SIGKILL. Delivery of rows committed just before
/// a crash is the outbox relay's own property, tested with ServiceKit and IAM.
@Suite("Process: shop serve catalog")
struct CatalogProcessTests {
    @Test(.timeLimit(.minutes(3)))
    func publishesAndKeepsItsWritesAcrossACrash() async throws {
        let broker = try await ConsumerTests.startBroker()
        defer { broker.shutdown() }
        let issuer = try await TestTokenIssuer.start()
        let directory = NSTemporaryDirectory() + "catalog-process-" + UUID().uuidString
        var environment = issuer.environment
        environment["DATA_DIR"] = directory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        environment["OUTBOX_POLL_INTERVAL_MS"] = "100"
        environment["LOG_LEVEL"] = "warning"
        var service = try await ServiceProcess(service: "catalog", environment: environment, logFile: directory + "-1.log")
        defer { service.cleanUp(removing: [directory, directory + "-1.log", directory + "-2.log"]) }

        let admin = try await issuer.userToken(roles: ["admin"])
        var client = EnvelopeClient(baseURL: service.baseURL)
        let created = try await client.send(.POST, "/products", json: [
            "sku": "CRASH-1", "name": "Crash-proof kettle", "price": ["amountMinor": 4999, "currency": "EUR"],
        ], bearer: admin)
        #expect(created.status == 201)
        let id = try #require(created.data?["id"]?.stringValue)

        try await eventually("ProductCreated reaches the broker", timeout: .seconds(60)) {
            let records = try await TopicReader.readAll(topic: Topics.catalogProduct, bootstrap: broker.bootstrap)
            return records.contains { $0.key == id && $0.headers[EnvelopeHeader.eventType] == "ProductCreated" }
        }

        await service.kill()
        service = try await ServiceProcess(service: "catalog", port: service.port, environment: environment, logFile: directory + "-2.log")
        client = EnvelopeClient(baseURL: service.baseURL)
        let read = try await client.get("/products/\(id)")
        #expect(read.status == 200 && read.data?["version"]?.intValue == 1)
        #expect(try await client.get("/products?q=kettle").data?["items"]?.arrayValue?.count == 1, "the search index survived too")
        // The defer stops the process in the background. A graceful stop awaited here took 30 s in this
        // setup (a consumer with assigned partitions and a test client's keep-alive connection; the cause
        // is not pinned down yet), wall time this test does not need to spend.
        await issuer.stop()
    }
}
