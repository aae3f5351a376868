import Contracts
import Foundation
import GRDB
import Logging
import NIOHTTP1
@testable import PaymentService
import ServiceKit
import ShopTestSupport

/// The payment service in process on a free port, with its own SQLite file, a real broker, a token
/// issuer and a publisher for the order events and saga commands that the order service would send.
/// Short provider settings make the asynchronous tokens resolve within a second or two.
final class PaymentFixture: Sendable {
    let broker: BrokerProcess
    let issuer: TestTokenIssuer
    let server: LiveServer
    let publisher: TestEventPublisher
    let provider: SimulatedPaymentProvider
    /// A second handle on the service's database file, to look at the projection and the rows.
    let store: PaymentStore
    let dataDirectory: String
    var client: EnvelopeClient { EnvelopeClient(baseURL: server.baseURL) }

    static let delayedSuccessSeconds = 1
    static let callTimeoutMs = 300

    static func start(extraEnvironment: [String: String] = [:]) async throws -> PaymentFixture {
        let dataDirectory = NSTemporaryDirectory() + "payment-tests-" + UUID().uuidString
        let broker = try await BrokerProcess(dataDirectory: dataDirectory + "/broker")
        let issuer = try await TestTokenIssuer.start()
        var environment = issuer.environment
        environment["DATA_DIR"] = dataDirectory
        environment["KAFKA_BOOTSTRAP_SERVERS"] = broker.bootstrap
        environment["PORT"] = "0"
        environment["OUTBOX_POLL_INTERVAL_MS"] = "100"
        environment["PSP_CALL_TIMEOUT_MS"] = String(callTimeoutMs)
        environment["PSP_DELAYED_SUCCESS_SECONDS"] = String(delayedSuccessSeconds)
        environment["PAYMENT_RECONCILE_INTERVAL_MS"] = "100"
        for (key, value) in extraEnvironment { environment[key] = value }
        let config = try ServiceConfig(serviceName: "payment", defaultPort: 0, environment: environment)
        let provider = SimulatedPaymentProvider(delayedSuccess: TimeInterval(delayedSuccessSeconds))
        let app = try await PaymentServer.makeApp(config: config, environment: environment, provider: provider)
        let server = try await LiveServer("payment") { onRunning in app.application(onServerRunning: onRunning) }
        let store = try PaymentStore.open(path: config.databasePath)
        let publisher = try TestEventPublisher(bootstrap: broker.bootstrap, producerName: "order")
        return PaymentFixture(broker: broker, issuer: issuer, server: server, publisher: publisher, provider: provider, store: store,
                              dataDirectory: dataDirectory)
    }

    /// Runs `body` against a fresh fixture and stops it afterwards, also when `body` throws.
    static func with(extraEnvironment: [String: String] = [:], _ body: (PaymentFixture) async throws -> Void) async throws {
        let fixture = try await start(extraEnvironment: extraEnvironment)
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }

    private init(broker: BrokerProcess, issuer: TestTokenIssuer, server: LiveServer, publisher: TestEventPublisher,
                 provider: SimulatedPaymentProvider, store: PaymentStore, dataDirectory: String) {
        self.broker = broker
        self.issuer = issuer
        self.server = server
        self.publisher = publisher
        self.provider = provider
        self.store = store
        self.dataDirectory = dataDirectory
    }

    func stop() async {
        await server.stop()
        await publisher.close()
        await issuer.stop()
        broker.shutdown()
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    // MARK: Orders, as the order service would announce them

    struct Customer: Sendable {
        let userId: String
        let token: String
    }

    func customer() async throws -> Customer {
        let userId = UUID().uuidString.lowercased()
        return Customer(userId: userId, token: try await issuer.userToken(subject: userId))
    }

    func adminToken() async throws -> String {
        try await issuer.userToken(roles: ["admin"])
    }

    /// Publishes `OrderPlaced` and (unless `awaitingPayment` is false) `OrderAwaitingPayment` for a new
    /// order of `userId`, and waits until the projection shows it.
    func placeOrder(for userId: String, totalMinor: Int64 = 3998, awaitingPayment: Bool = true) async throws -> String {
        let orderId = UUID().uuidString.lowercased()
        let total = Money(amountMinor: totalMinor, currency: .EUR)
        let address = AddressSnapshot.example
        try await publisher.publish(OrderPlaced(orderId: orderId, userId: userId, lines: [], subtotal: total, total: total,
                                                shippingAddress: address, billingAddress: address, placedAt: Date()),
                                    correlationId: orderId)
        if awaitingPayment {
            try await publisher.publish(OrderAwaitingPayment(orderId: orderId, userId: userId, total: total,
                                                             paymentDueBy: Date().addingTimeInterval(900)), correlationId: orderId)
        }
        let expected = awaitingPayment ? PayableOrder.awaitingPayment : PayableOrder.pendingReservation
        try await eventually("order \(orderId) in the projection as \(expected)", timeout: .seconds(60)) {
            try await store.payableOrder(id: orderId)?.status == expected
        }
        return orderId
    }

    // MARK: HTTP

    func initiate(_ orderId: String, token paymentToken: String, as customer: Customer,
                  key: String = UUID().uuidString) async throws -> EnvelopeClient.Answer {
        try await client.send(.POST, "/payments/initiate",
                              json: ["orderId": .string(orderId), "method": "CARD", "paymentToken": .string(paymentToken)],
                              bearer: customer.token, headers: [("Idempotency-Key", key)])
    }

    func payment(_ id: String, bearer: String) async throws -> EnvelopeClient.Answer {
        try await client.get("/payments/status/\(id)", bearer: bearer)
    }

    func refund(_ paymentId: String, amountMinor: Int64, bearer: String, key: String? = nil) async throws -> EnvelopeClient.Answer {
        try await client.send(.POST, "/payments/\(paymentId)/refunds", json: ["amountMinor": .integer(amountMinor), "reason": "test"],
                              bearer: bearer, headers: key.map { [("Idempotency-Key", $0)] } ?? [])
    }

    /// Waits until the payment has `status`.
    func waitForStatus(_ paymentId: String, _ status: PaymentStatus) async throws {
        try await eventually("payment \(paymentId) \(status.rawValue)", timeout: .seconds(60)) {
            try await store.payment(id: paymentId)?.status == status
        }
    }

    /// Waits until the service's consumers have stored offsets up to the end of `topic`: every record
    /// published so far was applied or skipped as a duplicate.
    func waitUntilConsumed(_ topic: String) async throws {
        try await eventually("\(topic) consumed to its end", timeout: .seconds(60), every: .milliseconds(100)) {
            let published = try await TopicReader.readAll(topic: topic, bootstrap: broker.bootstrap).count
            let consumed = try await store.database.read { db in
                try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(next_offset), 0) FROM consumer_offset WHERE topic = ?",
                                   arguments: [topic]) ?? 0
            }
            return consumed >= Int64(published)
        }
    }

    // MARK: Published events

    /// The types of the events on `payment.payment.v1` for `orderId`, in order.
    func paymentEventTypes(_ orderId: String) async throws -> [String] {
        try await paymentEvents(orderId).compactMap { $0.headers[EnvelopeHeader.eventType] }
    }

    func paymentEvents(_ orderId: String) async throws -> [TopicReader.Event] {
        try await TopicReader.readAll(topic: Topics.paymentPayment, bootstrap: broker.bootstrap).filter { $0.key == orderId }
    }

    /// Waits until the events of `orderId` are exactly `types` (the outbox delivers them within a poll).
    /// `ordered: false` for events that independent workers publish (the command consumer, the reconciler).
    func expectEvents(_ orderId: String, _ types: [String], ordered: Bool = true) async throws {
        try await eventually("events \(types) for \(orderId)", timeout: .seconds(60), every: .milliseconds(200)) {
            let published = try await paymentEventTypes(orderId)
            return ordered ? published == types : published.sorted() == types.sorted()
        }
    }

    func decode<E: DomainEvent>(_ type: E.Type, _ orderId: String) async throws -> [E] {
        try await paymentEvents(orderId).filter { $0.headers[EnvelopeHeader.eventType] == E.eventType }
            .map { try EventCoding.decoder().decode(E.self, from: $0.value) }
    }
}

extension AddressSnapshot {
    static var example: AddressSnapshot {
        AddressSnapshot(addressId: UUID().uuidString.lowercased(), recipientName: "Ada Lovelace", phone: nil, line1: "12 St James's Sq",
                        line2: nil, city: "London", state: nil, postalCode: "SW1Y 4JH", country: "GB")
    }
}

extension EnvelopeClient.Answer {
    var dataId: String? { data?["id"]?.stringValue }
    var dataStatus: String? { data?["status"]?.stringValue }
}
