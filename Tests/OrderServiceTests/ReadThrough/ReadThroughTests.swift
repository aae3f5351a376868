import CatalogService
import Contracts
import CustomerService
import Foundation
import Hummingbird
import Logging
import NIOCore
@testable import OrderService
import ServiceKit
import ShopTestSupport
import Synchronization
import Testing

/// Read-through (API.md §1.9) against the real owners run in process — catalog's `GET /products/{id}` and
/// customer's `GET /customers/{userId}/addresses/{addressId}` — with a client-credentials token from a
/// stand-in for IAM's token endpoint (it signs real tokens with the test issuer, and counts requests).
@Suite struct ReadThroughTests {
    /// IAM's `POST /oauth2/token` for the order service's client.
    final class TokenEndpoint: Sendable {
        final class Counter: Sendable {
            let value = Mutex(0)
        }

        let requests: Counter
        let server: LiveServer

        init(issuer: TestTokenIssuer) async throws {
            let requests = Counter()
            self.requests = requests
            server = try await LiveServer("token") { onRunning in
                let router = Router()
                router.post("/oauth2/token") { _, _ in
                    requests.value.withLock { $0 += 1 }
                    let token = try await issuer.serviceToken(clientId: "order-service",
                                                              scopes: ["customer.read", "catalog.read", "inventory.read"])
                    let body = #"{"access_token":"\#(token)","token_type":"Bearer","expires_in":600}"#
                    return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
                }
                return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onRunning)
            }
        }

        var count: Int { requests.value.withLock { $0 } }
        var url: String { server.baseURL + "/oauth2/token" }
    }

    /// catalog and customer, the real services, in process.
    struct Owners {
        let catalog: LiveServer
        let customer: LiveServer
        let directory: String

        static func start(issuer: TestTokenIssuer) async throws -> Owners {
            let directory = NSTemporaryDirectory() + "order-owners-" + UUID().uuidString.lowercased()
            var environment = issuer.environment
            environment["LOG_LEVEL"] = "warning"
            environment["KAFKA_BOOTSTRAP_SERVERS"] = "127.0.0.1:\(BrokerProcess.freePort())"
            var catalogEnvironment = environment
            catalogEnvironment["DATA_DIR"] = directory + "/catalog"
            let catalogApp = try await CatalogServer.makeApp(
                config: try ServiceConfig(serviceName: CatalogServer.name, defaultPort: 0, environment: catalogEnvironment),
                environment: catalogEnvironment)
            var customerEnvironment = environment
            customerEnvironment["DATA_DIR"] = directory + "/customer"
            let customerApp = try await CustomerServer.makeApp(
                config: try ServiceConfig(serviceName: CustomerServer.name, defaultPort: 0, environment: customerEnvironment),
                environment: customerEnvironment)
            return Owners(catalog: try await LiveServer("catalog") { catalogApp.application(onServerRunning: $0) },
                          customer: try await LiveServer("customer") { customerApp.application(onServerRunning: $0) },
                          directory: directory)
        }

        func stop() async {
            await catalog.stop()
            await customer.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// Creates a product at catalog as an admin; its id.
        func product(_ issuer: TestTokenIssuer, sku: String, priceMinor: Int64, status: String = "ACTIVE") async throws -> String {
            let admin = try await issuer.userToken(roles: ["admin"])
            let answer = try await EnvelopeClient(baseURL: catalog.baseURL).send(.POST, "/products", json: [
                "sku": .string(sku), "name": "Blue mug", "price": ["amountMinor": .integer(priceMinor), "currency": "EUR"],
                "status": .string(status),
            ], bearer: admin)
            guard answer.status == 201, let id = answer.data?["id"]?.stringValue else { throw TestFailure("catalog: \(answer.text)") }
            return id
        }

        /// Adds an address to the user's book at customer, as the user; its id.
        func address(of shopper: CartFixture.Shopper, city: String) async throws -> String {
            let answer = try await EnvelopeClient(baseURL: customer.baseURL).send(.POST, "/customers/me/addresses", json: [
                "recipientName": "Ada Lovelace", "line1": "12 St James's Square", "city": .string(city), "postalCode": "SW1Y 4JH",
                "country": "GB",
            ], bearer: shopper.token)
            guard answer.status == 201, let id = answer.data?["id"]?.stringValue else { throw TestFailure("customer: \(answer.text)") }
            return id
        }
    }

    /// Nothing listens on the discard port (a port found free now may be another test's listener by the
    /// time it is called, one that never answers HTTP).
    static let closedURL = "http://127.0.0.1:9"

    /// `timeout`: generous where an owner must answer (CI runs this beside whole shop stacks on two cores; 500 ms
    /// failed there); short where none can, since a refused connection is retried until it ends.
    static func readThroughSettings(_ configuration: inout OrderConfiguration, owners: Owners?, token: String,
                                    timeout: Duration = .seconds(20)) {
        let closed = Self.closedURL
        configuration.catalogURL = owners?.catalog.baseURL ?? closed
        configuration.customerURL = owners?.customer.baseURL ?? closed
        configuration.tokenURL = token
        configuration.clientSecret = "order-secret"
        configuration.readTimeout = timeout
    }

    @Test func anUnknownProductIsReadFromCatalogWithOneCachedToken() async throws {
        let issuer = try await TestTokenIssuer.start()
        let iam = try await TokenEndpoint(issuer: issuer)
        let owners = try await Owners.start(issuer: issuer)
        try await CartFixture.with(issuer: issuer, configure: { Self.readThroughSettings(&$0, owners: owners, token: iam.url) }) { fixture in
            let ada = try await fixture.shopper()
            let mug = try await owners.product(issuer, sku: "MUG-BLUE-\(UUID().uuidString.prefix(6))", priceMinor: 1250)
            let added = try await fixture.setItem(mug, quantity: 2, as: ada)
            #expect(added.status == 200)
            #expect(added.data?.cartItem(0)?["name"]?.stringValue == "Blue mug")
            #expect(added.data?["subtotal"] == ["amountMinor": 2500, "currency": "EUR"])
            // Now projected: read at catalog's version, answered from the projection from now on.
            let projected = try await fixture.store.database.read { db in try OrderStore.projectedProduct(id: mug, db) }
            #expect(projected?.price == Money(amountMinor: 1250, currency: .EUR) && projected?.version == 1)

            // A draft and an id catalog does not know are both 404 (after asking).
            let draft = try await owners.product(issuer, sku: "DRAFT-\(UUID().uuidString.prefix(6))", priceMinor: 100, status: "DRAFT")
            #expect(try await fixture.setItem(draft, quantity: 1, as: ada).status == 404)
            #expect(try await fixture.setItem(UUID().uuidString.lowercased(), quantity: 1, as: ada).status == 404)
            let other = try await owners.product(issuer, sku: "MUG-RED-\(UUID().uuidString.prefix(6))", priceMinor: 900)
            #expect(try await fixture.setItem(other, quantity: 1, as: ada).status == 200)
            // Four read-throughs, one token.
            #expect(iam.count == 1)
        }
        await owners.stop()
        await iam.server.stop()
        await issuer.stop()
    }

    @Test func anAddressMissingFromTheProjectionIsReadFromCustomer() async throws {
        let issuer = try await TestTokenIssuer.start()
        let iam = try await TokenEndpoint(issuer: issuer)
        let owners = try await Owners.start(issuer: issuer)
        try await CartFixture.with(issuer: issuer, configure: { Self.readThroughSettings(&$0, owners: owners, token: iam.url) }) { fixture in
            var configuration = OrderConfiguration()
            Self.readThroughSettings(&configuration, owners: owners, token: iam.url)
            let readThrough = ProjectionReadThrough(configuration: configuration, store: fixture.store, clock: fixture.clock.serviceClock,
                                                    logger: Logger(label: "test"))
            let ada = try await fixture.shopper()
            let eve = try await fixture.shopper()
            let home = try await owners.address(of: ada, city: "London")
            let evesHome = try await owners.address(of: eve, city: "Paris")

            let snapshot = try await readThrough.ensureAddress(userId: ada.userId, addressId: home)
            #expect(snapshot == AddressSnapshot(addressId: home, recipientName: "Ada Lovelace", line1: "12 St James's Square",
                                                city: "London", postalCode: "SW1Y 4JH", country: "GB"))
            // Projected: the checkout transaction finds it without asking.
            #expect(try await fixture.store.database.read { db in
                try OrderStore.addressFromBook(userId: ada.userId, addressId: home, db)
            } == snapshot)
            // Another user's address, an unknown one and a malformed one are not in Ada's book.
            #expect(try await readThrough.ensureAddress(userId: ada.userId, addressId: evesHome) == nil)
            #expect(try await readThrough.ensureAddress(userId: ada.userId, addressId: UUID().uuidString.lowercased()) == nil)
            #expect(try await readThrough.ensureAddress(userId: ada.userId, addressId: "../../admin") == nil)
            #expect(try await readThrough.ensureAddress(userId: eve.userId, addressId: evesHome.uppercased())?.city == "Paris")
            #expect(iam.count == 1)
        }
        await owners.stop()
        await iam.server.stop()
        await issuer.stop()
    }

    @Test func anOwnerOrIAMDownIs503NeverA500() async throws {
        let issuer = try await TestTokenIssuer.start()
        let iam = try await TokenEndpoint(issuer: issuer)
        // The owners' URLs point at closed ports.
        try await CartFixture.with(issuer: issuer, configure: { Self.readThroughSettings(&$0, owners: nil, token: iam.url, timeout: .seconds(1)) }) { fixture in
            let ada = try await fixture.shopper()
            for _ in 0..<3 {
                let answer = try await fixture.setItem(UUID().uuidString.lowercased(), quantity: 1, as: ada)
                #expect(answer.status == 503 && answer.code == 503 && answer.envelopeStatus == "ERROR")
            }
            // What the projection knows needs no owner.
            let known = try await fixture.catalogProduct()
            #expect(try await fixture.setItem(known, quantity: 1, as: ada).status == 200)

            var configuration = OrderConfiguration()
            Self.readThroughSettings(&configuration, owners: nil, token: iam.url, timeout: .seconds(1))
            let readThrough = ProjectionReadThrough(configuration: configuration, store: fixture.store, clock: fixture.clock.serviceClock,
                                                    logger: Logger(label: "test"))
            await #expect(throws: OrderError.self) {
                try await readThrough.ensureAddress(userId: ada.userId, addressId: UUID().uuidString.lowercased())
            }
            do {
                _ = try await readThrough.ensureAddress(userId: ada.userId, addressId: UUID().uuidString.lowercased())
            } catch let error as OrderError {
                guard case .dependencyUnavailable(let service, _) = error else { throw error }
                #expect(service == "customer")
            }
        }
        // IAM down too: the token cannot be had, still 503.
        try await CartFixture.with(issuer: issuer, configure: {
            Self.readThroughSettings(&$0, owners: nil, token: Self.closedURL + "/oauth2/token", timeout: .seconds(1))
        }) { fixture in
            let answer = try await fixture.setItem(UUID().uuidString.lowercased(), quantity: 1, as: try await fixture.shopper())
            #expect(answer.status == 503)
        }
        await iam.server.stop()
        await issuer.stop()
    }

    /// A callee refusing the cached token (IAM rotated its keys): one fresh token, one more try.
    @Test func aRefusedTokenIsRenewedOnce() async throws {
        final class Seen: Sendable {
            let tokensIssued = Mutex(0)
            let authorizations = Mutex<[String]>([])
        }
        let seen = Seen()
        let productId = UUID().uuidString.lowercased()
        // Stands in for IAM (tokens t1, t2, …) and catalog (refuses t1).
        let fake = try await LiveServer("fake-catalog") { onRunning in
            let router = Router()
            router.post("/oauth2/token") { _, _ in
                let number = seen.tokensIssued.withLock { $0 += 1; return $0 }
                let body = #"{"access_token":"t\#(number)","token_type":"Bearer","expires_in":600}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
            }
            router.get("/products/:id") { request, _ in
                let authorization = request.headers[.authorization] ?? ""
                seen.authorizations.withLock { $0.append(authorization) }
                guard authorization != "Bearer t1" else {
                    return Response(status: .unauthorized, headers: [.contentType: "application/json"],
                                    body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ERROR","code":401,"message":"no","errors":[]}"#)))
                }
                let product = #"{"status":"SUCCESS","code":200,"message":"OK","data":{"id":"\#(productId)","sku":"CAP-1","name":"Cap","price":{"amountMinor":700,"currency":"EUR"},"status":"ACTIVE","version":3}}"#
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: product)))
            }
            return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), onServerRunning: onRunning)
        }
        try await CartFixture.with(configure: {
            Self.readThroughSettings(&$0, owners: nil, token: fake.baseURL + "/oauth2/token")
            $0.catalogURL = fake.baseURL
        }) { fixture in
            let answer = try await fixture.setItem(productId, quantity: 1, as: try await fixture.shopper())
            #expect(answer.status == 200 && answer.data?.cartItem(0)?["sku"]?.stringValue == "CAP-1")
            #expect(seen.authorizations.withLock { $0 } == ["Bearer t1", "Bearer t2"])
            #expect(seen.tokensIssued.withLock { $0 } == 2)
        }
        await fake.stop()
    }
}
