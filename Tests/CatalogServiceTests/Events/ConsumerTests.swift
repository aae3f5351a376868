import BrokerClient
import Contracts
import Foundation
import GRDB
import ServiceKit
import ShopTestSupport
import Testing

@testable import CatalogService

/// The catalog's consumers and outbox against a real broker: events published as the producing service's
/// relay would, applied by the running app, each exactly once across a restart of the app.
@Suite("Events: availability and review eligibility from a real broker")
struct ConsumerTests {
    /// `shop up` creates every topic before the services start; so does each test.
    static func startBroker() async throws -> BrokerProcess {
        let broker = try await BrokerProcess()
        let cluster = try BrokerCluster(bootstrap: [broker.bootstrap])
        let admin = BrokerAdmin(cluster: cluster)
        for topic in [Topics.inventoryStock, Topics.orderOrder, Topics.catalogProduct, Topics.catalogCategory, Topics.catalogReview] {
            try await admin.createTopic(topic, partitions: 1)
        }
        await cluster.shutdown()
        return broker
    }

    static func inboxCount(dataDirectory: String, eventId: String) throws -> Int {
        let database = try DatabaseQueue(path: dataDirectory + "/catalog/catalog.sqlite")
        return try database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM inbox WHERE event_id = ?", arguments: [eventId]) ?? 0
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func stockLevelsBecomeAvailabilityExactlyOnceAcrossARestart() async throws {
        let broker = try await Self.startBroker()
        defer { broker.shutdown() }
        let directory = NSTemporaryDirectory() + "catalog-consumer-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "inventory")
        let firstEventId = UUID().uuidString.lowercased()

        let productId = try await CatalogHTTPFixture.withServer(dataDirectory: directory, bootstrap: broker.bootstrap) { fixture in
            let productId = try await fixture.createProduct("STOCK-1")
            #expect(try await fixture.client.get("/products/\(productId)").data?["inStock"] == .null)
            try await publisher.publish(StockLevelChanged(productId: productId, onHand: 10, reserved: 2, available: 8, changedAt: Date()),
                                        eventId: firstEventId)
            try await eventually("the stock level reaches the product", timeout: .seconds(60)) {
                let product = try await fixture.client.get("/products/\(productId)").data
                return product?["inStock"] == .bool(true) && product?["availableQuantity"]?.intValue == 8
            }
            // The product's own event went out through the outbox, keyed by its id.
            try await eventually("ProductCreated is published", timeout: .seconds(60)) {
                let records = try await TopicReader.readAll(topic: Topics.catalogProduct, bootstrap: broker.bootstrap)
                return records.contains { $0.key == productId && $0.headers[EnvelopeHeader.eventType] == "ProductCreated" }
            }
            return productId
        }

        try await CatalogHTTPFixture.withServer(dataDirectory: directory, bootstrap: broker.bootstrap) { fixture in
            // A redelivery of the first event (same id, a payload that would change the answer if applied
            // again), then a new report: once the new one shows, the redelivery was read before it.
            try await publisher.publish(StockLevelChanged(productId: productId, onHand: 1, reserved: 0, available: 1,
                                                          changedAt: Date().addingTimeInterval(1)),
                                        eventId: firstEventId)
            try await publisher.publish(ProductOutOfStock(productId: productId, at: Date().addingTimeInterval(2)))
            try await eventually("the out-of-stock report is applied after the restart", timeout: .seconds(60)) {
                let product = try await fixture.client.get("/products/\(productId)").data
                return product?["inStock"] == .bool(false)
            }
            let product = try await fixture.client.get("/products/\(productId)").data
            #expect(product?["availableQuantity"]?.intValue == 0)
        }
        await publisher.close()
        #expect(try Self.inboxCount(dataDirectory: directory, eventId: firstEventId) == 1)
    }

    @Test(.timeLimit(.minutes(3)))
    func deliveredOrdersEnableReviewsExactlyOnceAcrossARestart() async throws {
        let broker = try await Self.startBroker()
        defer { broker.shutdown() }
        let directory = NSTemporaryDirectory() + "catalog-consumer-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "order")
        let deliveryId = UUID().uuidString.lowercased()

        let (productId, customerId) = try await CatalogHTTPFixture.withServer(dataDirectory: directory, bootstrap: broker.bootstrap) { fixture in
            let productId = try await fixture.createProduct("REVIEW-1")
            let path = "/products/\(productId)/reviews"
            #expect(try await fixture.client.send(.POST, path, json: ["rating": 5], bearer: fixture.customerToken).status == 403)
            try await publisher.publish(OrderDelivered(orderId: "order-1", userId: fixture.customerId, productIds: [productId],
                                                       deliveredAt: Date()), eventId: deliveryId)
            var location: String?
            try await eventually("the delivery makes the customer eligible", timeout: .seconds(60)) {
                let answer = try await fixture.client.send(.POST, path, json: ["rating": 4], bearer: fixture.customerToken)
                location = answer.header("Location")
                return answer.status == 201
            }
            let created = try await fixture.client.get(try #require(location))
            #expect(created.status == 200 && created.data?["rating"]?.intValue == 4 && created.data?["verifiedPurchase"] == .bool(true))
            #expect(try await fixture.client.send(.POST, path, json: ["rating": 2], bearer: fixture.customerToken).status == 409)
            let listed = try await fixture.client.get(path)
            #expect(listed.data?["items"]?.arrayValue?.count == 1)
            #expect(try await fixture.client.get("/products/\(productId)").data?["rating"]?["averageX100"]?.intValue == 400)
            return (productId, fixture.customerId)
        }

        try await CatalogHTTPFixture.withServer(dataDirectory: directory, bootstrap: broker.bootstrap) { fixture in
            try await publisher.publish(OrderDelivered(orderId: "order-1", userId: customerId, productIds: [productId],
                                                       deliveredAt: Date()), eventId: deliveryId)
            let otherUser = UUID().uuidString.lowercased()
            try await publisher.publish(OrderDelivered(orderId: "order-2", userId: otherUser, productIds: [productId], deliveredAt: Date()))
            let otherToken = try await fixture.issuer.userToken(subject: otherUser)
            try await eventually("the second delivery is applied after the restart", timeout: .seconds(60)) {
                try await fixture.client.send(.POST, "/products/\(productId)/reviews", json: ["rating": 5], bearer: otherToken).status == 201
            }
        }
        await publisher.close()
        #expect(try Self.inboxCount(dataDirectory: directory, eventId: deliveryId) == 1)
    }
}
