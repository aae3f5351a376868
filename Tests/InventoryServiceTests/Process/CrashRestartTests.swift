import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// A real `shop serve inventory` process SIGKILLed in the middle of a burst of 200 commands and started
/// again: every command takes effect exactly once (the sums) and is answered (the replies on the topic).
struct CrashRestartTests {
    @Test func sigkillInTheMiddleOfTwoHundredCommands() async throws {
        let directory = NSTemporaryDirectory() + "inventory-crash-" + UUID().uuidString
        let broker = try await BrokerProcess(dataDirectory: directory + "/broker")
        let issuer = try await TestTokenIssuer.start()
        var environment = issuer.environment
        environment["DATA_DIR"] = directory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        environment["OUTBOX_POLL_INTERVAL_MS"] = "100"
        environment["LOG_LEVEL"] = "info"
        var service = try await ServiceProcess(service: "inventory", environment: environment, logFile: directory + "/inventory-1.log")
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap)
        do {
            let admin = try await issuer.userToken(roles: ["admin"])
            let product = InventoryFixture.newId()
            let warehouse = try await Self.setUp(product: product, onHand: 1000, service: service, admin: admin)

            // Seeded quantities: the expected sum is fixed, and a lost or doubled command shows in it.
            var random = SplitMix64(seed: 0x1A7E_2026)
            let commands = (0..<200).map { _ in
                ReserveStock(orderId: InventoryFixture.newId(), lines: [ProductQuantity(productId: product, quantity: Int.random(in: 1...3, using: &random))])
            }
            let expected = commands.reduce(0) { $0 + $1.lines[0].quantity }
            let burst = Task {
                for command in commands { try await publisher.publish(command) }
            }
            let client = EnvelopeClient(baseURL: service.baseURL)
            try await eventually("the first commands are applied", timeout: .seconds(60), every: .milliseconds(10)) {
                let reserved = try await client.get("/inventory/\(product)", bearer: admin).data?["reserved"]?.intValue ?? 0
                return reserved > 0
            }
            await service.kill()
            service = try await ServiceProcess(service: "inventory", port: service.port, environment: environment,
                                               logFile: directory + "/inventory-2.log")
            try await burst.value

            // The restarted consumer joins once the group gives up on the killed member (session and
            // rebalance timeouts, about 30 s), so the bound is generous.
            try await eventually("every command is applied", timeout: .seconds(180), every: .milliseconds(250)) {
                (try? await client.get("/inventory/\(product)", bearer: admin).data?["reserved"]?.intValue) == expected
            }
            var replies: [String: Set<String>] = [:]
            try await eventually("every command is answered", timeout: .seconds(120), every: .milliseconds(500)) {
                replies = [:]
                for event in try await TopicReader.readAll(topic: Topics.inventoryStock, bootstrap: broker.bootstrap)
                where event.headers[EnvelopeHeader.eventType] == StockReserved.eventType {
                    let reply = try EventCoding.decoder().decode(StockReserved.self, from: event.value)
                    replies[reply.orderId, default: []].insert(reply.reservationId)
                }
                return replies.count == commands.count
            }
            // One reservation per order (a record the relay published twice carries the same reservation).
            #expect(Set(replies.keys) == Set(commands.map(\.orderId)))
            #expect(replies.values.allSatisfy { $0.count == 1 })
            let level = try await client.get("/inventory/\(product)", bearer: admin)
            #expect(level.data?["reserved"]?.intValue == expected && level.data?["onHand"]?.intValue == 1000)
            #expect(level.data?["warehouses"]?.arrayValue?.first?["warehouseId"]?.stringValue == warehouse)
        } catch {
            // Keep the service's logs of a failed run next to the temporary directory's name.
            try? FileManager.default.copyItem(atPath: directory, toPath: directory + "-failed")
            Issue.record("logs kept in \(directory)-failed")
            await Self.tearDown(publisher, service, issuer, broker, directory)
            throw error
        }
        await Self.tearDown(publisher, service, issuer, broker, directory)
    }

    static func setUp(product: String, onHand: Int, service: ServiceProcess, admin: String) async throws -> String {
        let client = EnvelopeClient(baseURL: service.baseURL)
        let created = try await client.send(.POST, "/warehouses", json: ["code": "MAIN", "name": "Main"], bearer: admin)
        let warehouse = try #require(created.data?["id"]?.stringValue, "\(created.text)")
        let received = try await client.send(.POST, "/inventory/adjustments", json: [
            "productId": .string(product), "warehouseId": .string(warehouse), "delta": .integer(Int64(onHand)), "reason": "RECEIPT",
        ], bearer: admin)
        #expect(received.status == 201)
        return warehouse
    }

    static func tearDown(_ publisher: TestEventPublisher, _ service: ServiceProcess, _ issuer: TestTokenIssuer, _ broker: BrokerProcess,
                         _ directory: String) async {
        await publisher.close()
        await issuer.stop()
        broker.shutdown()
        service.cleanUp(removing: [directory])
    }
}
