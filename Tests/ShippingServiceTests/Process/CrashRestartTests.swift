import BrokerClient
import Contracts
import Foundation
import ServiceKit
import ShopTestSupport
import Testing

/// A real `shop serve shipping` process SIGKILLed in the middle of a burst of 200 `CreateShipment`
/// commands, restarted, and sent 20 of them again: every order gets exactly one shipment and one
/// `ShipmentCreated` event id (the relay may publish a row twice after a crash; consumers dedupe by id).
@Suite(.serialized) struct CrashRestartTests {
    @Test func aKilledConsumerLosesNoCommandAndDoublesNone() async throws {
        let directory = NSTemporaryDirectory() + "shipping-crash-" + UUID().uuidString.lowercased()
        let broker = try await BrokerProcess(dataDirectory: directory + "/broker")
        defer { broker.shutdown() }
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        let admin = BrokerAdmin(cluster: cluster)
        try await admin.createTopic(Topics.shippingCommands, partitions: 3)
        try await admin.createTopic(Topics.inventoryStock, partitions: 1)
        try await admin.createTopic(Topics.shippingShipment, partitions: 3)
        await cluster.shutdown()
        let issuer = try await TestTokenIssuer.start()
        var environment = issuer.environment
        environment["DATA_DIR"] = directory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        environment["OUTBOX_POLL_INTERVAL_MS"] = "200"
        environment["LOG_LEVEL"] = "warning"
        var service = try await ServiceProcess(service: "shipping", environment: environment, logFile: directory + "/shipping-1.log")
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "order")

        var generator = SplitMix64(seed: 12)
        let userId = UUID().uuidString.lowercased()
        var commands: [CreateShipment] = []
        for index in 0..<200 {
            let method: ShippingMethod = generator.next() % 2 == 0 ? .standard : .express
            commands.append(CreateShipment(orderId: UUID().uuidString.lowercased(), userId: userId, method: method,
                                           shipTo: AddressSnapshot(recipientName: "Ada Lovelace", line1: "1 Main St", city: "Leeds",
                                                                   postalCode: "LS1 1AA", country: "GB"),
                                           lines: [ProductQuantity(productId: UUID().uuidString.lowercased(), quantity: 1 + index % 3)]))
        }
        // Two bursts of 100 (sent concurrently); the service is killed between them, with the first in flight.
        var sent: [(orderId: String, eventId: String, command: CreateShipment)] = []
        for burst in [commands[..<100], commands[100...]] {
            sent += try await withThrowingTaskGroup(of: (String, String, CreateShipment).self) { group in
                for command in burst {
                    group.addTask { (command.orderId, try await publisher.publish(command), command) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            if sent.count == 100 { await service.kill() }
        }
        service = try await ServiceProcess(service: "shipping", port: service.port, environment: environment,
                                           logFile: directory + "/shipping-2.log")
        for (_, eventId, command) in sent.prefix(20) { try await publisher.publish(command, eventId: eventId) }

        let orderIds = Set(sent.map(\.orderId))
        var created: [TopicReader.Event] = []
        try await eventually("200 ShipmentCreated published", timeout: .seconds(120), every: .milliseconds(500)) {
            created = try await TopicReader.readAll(topic: Topics.shippingShipment, bootstrap: broker.bootstrap)
                .filter { $0.headers["event-type"] == ShipmentCreated.eventType }
            return Set(created.compactMap(\.key)).count >= orderIds.count
        }
        #expect(Set(created.compactMap(\.key)) == orderIds)
        // One event id per order: a record published twice by the relay is the same event, never a second one.
        let idsPerOrder = Dictionary(grouping: created, by: { $0.key ?? "" }).mapValues { Set($0.compactMap { $0.headers["event-id"] }) }
        #expect(idsPerOrder.values.allSatisfy { $0.count == 1 })
        // The sums: one cost per order, by its method.
        let expectedCost = sent.reduce(Int64(0)) { $0 + ($1.command.method == .standard ? 499 : 999) }
        var seen = Set<String>()
        var cost: Int64 = 0
        for event in created where seen.insert(event.key ?? "").inserted {
            cost += try EventCoding.decoder().decode(ShipmentCreated.self, from: event.value).cost.amountMinor
        }
        #expect(cost == expectedCost)

        let client = EnvelopeClient(baseURL: service.baseURL)
        let token = try await issuer.userToken(subject: userId)
        var shipmentIds = Set<String>()
        for orderId in orderIds {
            let answer = try await client.get("/shipping/track/\(orderId)", bearer: token)
            if let id = answer.data?["shipmentId"]?.stringValue { shipmentIds.insert(id) }
        }
        #expect(shipmentIds.count == 200)

        await publisher.close()
        await issuer.stop()
        service.cleanUp(removing: [directory])
    }
}
