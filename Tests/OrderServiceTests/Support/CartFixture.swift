import Contracts
import Foundation
import GRDB
import Logging
@testable import OrderService
import ServiceKit
import ShopTestSupport

/// The order service in process on a loopback port with its own SQLite file, trusting a `TestTokenIssuer`,
/// without a broker (the projections are fed by applying events to a second handle on the same file, with
/// the same handler the consumer runs). Read-through is off unless `configure` sets a client secret.
final class CartFixture: Sendable {
    let issuer: TestTokenIssuer
    let server: LiveServer
    /// A second handle on the service's database.
    let store: OrderStore
    let clock: ManualClock
    let dataDirectory: String
    var client: EnvelopeClient { EnvelopeClient(baseURL: server.baseURL) }

    static func with(issuer sharedIssuer: TestTokenIssuer? = nil, configure: (inout OrderConfiguration) -> Void = { _ in },
                     _ body: (CartFixture) async throws -> Void) async throws {
        let issuer: TestTokenIssuer
        if let sharedIssuer { issuer = sharedIssuer } else { issuer = try await TestTokenIssuer.start() }
        let dataDirectory = NSTemporaryDirectory() + "order-cart-" + UUID().uuidString.lowercased()
        var environment = issuer.environment
        environment["DATA_DIR"] = dataDirectory
        environment["LOG_LEVEL"] = "warning"
        // No broker: the relay retries a closed port in the background, harmlessly.
        environment["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:\(BrokerProcess.freePort())"
        let fixture: CartFixture
        do {
            let config = try ServiceConfig(serviceName: OrderServer.name, defaultPort: 0, environment: environment)
            var configuration = OrderConfiguration()
            configure(&configuration)
            let clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
            let app = try await OrderServer.makeApp(config: config, configuration: configuration, clock: clock.serviceClock)
            let server = try await LiveServer("order") { onRunning in app.application(onServerRunning: onRunning) }
            fixture = CartFixture(issuer: issuer, server: server, store: try OrderStore.open(path: config.databasePath), clock: clock,
                                  dataDirectory: dataDirectory)
        } catch {
            if sharedIssuer == nil { await issuer.stop() }
            throw error
        }
        do {
            try await body(fixture)
        } catch {
            await fixture.stop(issuer: sharedIssuer == nil)
            throw error
        }
        await fixture.stop(issuer: sharedIssuer == nil)
    }

    private init(issuer: TestTokenIssuer, server: LiveServer, store: OrderStore, clock: ManualClock, dataDirectory: String) {
        self.issuer = issuer
        self.server = server
        self.store = store
        self.clock = clock
        self.dataDirectory = dataDirectory
    }

    private func stop(issuer stopIssuer: Bool) async {
        await server.stop()
        if stopIssuer { await issuer.stop() }
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    // MARK: Callers

    struct Shopper: Sendable {
        let userId: String
        let token: String
    }

    func shopper() async throws -> Shopper {
        let userId = UUID().uuidString.lowercased()
        return Shopper(userId: userId, token: try await issuer.userToken(subject: userId))
    }

    // MARK: The projections, as the consumer would apply them

    func project<E: DomainEvent>(_ event: E) async throws {
        let received = try CartEvents.received(event)
        let handler = ProjectionEventHandler(clock: clock.serviceClock, logger: Logger(label: "test"))
        try await store.database.write { db in try handler.apply(received, db) }
    }

    /// A product catalog announced, `ACTIVE` by default; its id.
    @discardableResult
    func catalogProduct(priceMinor: Int64 = 1999, status: String = "ACTIVE", sku: String? = nil, name: String = "Red T-shirt",
                        version: Int = 1) async throws -> String {
        let productId = UUID().uuidString.lowercased()
        try await project(ProductCreated(productId: productId, sku: sku ?? "SKU-\(productId.prefix(8))", name: name, description: nil,
                                         price: Money(amountMinor: priceMinor, currency: .EUR), categoryIds: [], status: status,
                                         version: version, createdAt: clock.now))
        return productId
    }

    // MARK: HTTP

    func cart(_ shopper: Shopper) async throws -> EnvelopeClient.Answer {
        try await client.get("/cart", bearer: shopper.token)
    }

    func setItem(_ productId: String, quantity: JSONValue, as shopper: Shopper) async throws -> EnvelopeClient.Answer {
        try await client.send(.PUT, "/cart/items/\(productId)", json: ["quantity": quantity], bearer: shopper.token)
    }

    func removeItem(_ productId: String, as shopper: Shopper) async throws -> EnvelopeClient.Answer {
        try await client.send(.DELETE, "/cart/items/\(productId)", bearer: shopper.token)
    }
}

/// Events as the consumer runner hands them to a handler: the outbox's envelope headers and payload coding.
enum CartEvents {
    static func received<E: DomainEvent>(_ event: E, eventId: String = UUID().uuidString.lowercased(),
                                         occurredAt: Date = Date()) throws -> ReceivedEvent {
        let payload = try EventCoding.encoder().encode(event)
        let headers = [EnvelopeHeader.eventId: eventId, EnvelopeHeader.eventType: E.eventType,
                       EnvelopeHeader.eventVersion: String(E.eventVersion), EnvelopeHeader.aggregateType: E.aggregateType,
                       EnvelopeHeader.aggregateId: event.aggregateId, EnvelopeHeader.occurredAt: Timestamp.format(occurredAt)]
        return try ReceivedEvent(topic: E.topic, partition: 0, offset: 0, headers: headers, key: event.aggregateId, payload: Array(payload))
    }

    static func address(_ addressId: String, city: String = "London", version: Int = 1, defaultShipping: Bool = false) -> AddressBookEntry {
        AddressBookEntry(addressId: addressId, label: "Home",
                         address: AddressSnapshot(addressId: addressId, recipientName: "Ada Lovelace", phone: "+44 20 7946 0000",
                                                  line1: "12 St James's Square", city: city, postalCode: "SW1Y 4JH", country: "GB"),
                         isDefaultShipping: defaultShipping, isDefaultBilling: false, version: version)
    }
}

extension JSONValue {
    /// Line `index` of a cart's `items` (named apart from other suites' helpers in this module).
    func cartItem(_ index: Int) -> JSONValue? {
        guard let items = self["items"]?.arrayValue, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
