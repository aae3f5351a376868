import Contracts
import Foundation
import Logging
@testable import OrderService
import ServiceKit
import ShopTestSupport
import Testing

/// The projections fed the way the service is: records on a real broker, ServiceKit's consumer runner
/// (inbox, offsets) and `OrderEventDispatcher`'s one subscription over the three topics.
@Suite struct ProjectionConsumerTests {
    @Test func projectionsArriveThroughTheBrokerOnceEach() async throws {
        let directory = NSTemporaryDirectory() + "order-consumer-" + UUID().uuidString.lowercased()
        let broker = try await BrokerProcess(dataDirectory: directory + "/broker")
        defer {
            broker.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
        let environment = ["DATA_DIR": directory, "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "OUTBOX_POLL_INTERVAL_MS": "100",
                           "LOG_LEVEL": "warning"]
        let config = try ServiceConfig(serviceName: OrderServer.name, defaultPort: 0, environment: environment)
        let store = try OrderStore.open(path: config.databasePath)
        let app = ServiceApp(config: config, logger: Logger(label: "order-consumer-test"))
        let dispatcher = OrderEventDispatcher(projections: ProjectionEventHandler(clock: .system, logger: Logger(label: "projections")))
        try app.addMessaging(database: store.database, subscriptions: [dispatcher.subscription()])
        let server = try await LiveServer("order-consumer") { app.application(onServerRunning: $0) }
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "test")

        let productId = UUID().uuidString.lowercased()
        let userId = UUID().uuidString.lowercased()
        let addressId = UUID().uuidString.lowercased()
        let eur: @Sendable (Int64) -> Money = { Money(amountMinor: $0, currency: .EUR) }
        try await publisher.publish(ProductCreated(productId: productId, sku: "TS-RED-M", name: "Red T-shirt", description: nil,
                                                   price: eur(1999), categoryIds: [], status: "ACTIVE", version: 1, createdAt: Date()))
        let priceChange = try await publisher.publish(ProductPriceChanged(productId: productId, oldPrice: eur(1999), newPrice: eur(1499),
                                                                          effectiveAt: Date(), version: 2))
        try await publisher.publish(ProductRatingUpdated(productId: productId, ratingAverageX100: 500, ratingCount: 1, at: Date()))
        try await publisher.publish(AddressAdded(userId: userId, entry: CartEvents.address(addressId)))
        try await publisher.publish(UserAccountStatusChanged(userId: userId, enabled: false, locked: false, expired: false,
                                                             credentialsExpired: false, reason: "admin"))
        // A redelivery of the price change: the inbox drops it.
        try await publisher.publish(ProductPriceChanged(productId: productId, oldPrice: eur(1999), newPrice: eur(1499),
                                                        effectiveAt: Date(), version: 2), eventId: priceChange)

        try await eventually("the projections caught up", timeout: .seconds(90), every: .milliseconds(100)) {
            try await store.database.read { db in
                try OrderStore.projectedProduct(id: productId, db)?.price == eur(1499)
                    && OrderStore.addressFromBook(userId: userId, addressId: addressId, db) != nil
                    && OrderStore.isAccountDisabled(userId: userId, db)
            }
        }
        // All four catalog records consumed, three applied: the redelivered one found its event id in the inbox.
        try await eventually("catalog.product.v1 consumed to its end", timeout: .seconds(60), every: .milliseconds(100)) {
            try await store.database.read { db in
                try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offset WHERE topic = ?",
                                 arguments: [Topics.catalogProduct]) ?? 0
            } == 4
        }
        let applied = try await store.database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox WHERE topic = ?", arguments: [Topics.catalogProduct]) ?? 0
        }
        #expect(applied == 3)
        await server.stop()
        await publisher.close()
    }
}
