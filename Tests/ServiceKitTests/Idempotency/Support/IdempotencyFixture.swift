import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import JWTKit
import Logging
import NIOCore
@testable import ServiceKit
import ShopTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// A token issuer standing in for IAM: real ES256 tokens that `AuthMiddleware` verifies.
struct TestIssuer: Sendable {
    let key = ES256PrivateKey()
    let keys = JWTKeyCollection()

    init() async {
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: "idem"))
    }

    var verifier: JWTVerifier {
        // A constant key made in this process: its parameters exist.
        let parameters = key.publicKey.parameters!
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"idem","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
        return JWTVerifier(source: JWKSSource(description: "test") { jwks }, issuer: "iam", audience: "shop", leeway: 30)
    }

    func token(subject: String) async throws -> String {
        let now = Date()
        let claims = AccessTokenClaims(iss: IssuerClaim(value: "iam"), aud: AudienceClaim(value: ["shop"]), sub: SubjectClaim(value: subject),
                                       exp: ExpirationClaim(value: now.addingTimeInterval(600)), iat: IssuedAtClaim(value: now),
                                       nbf: nil, jti: IDClaim(value: UUID().uuidString), roles: ["customer"], scope: "", email: nil, clientId: nil)
        return try await keys.sign(claims, kid: JWKIdentifier(string: "idem"))
    }
}

/// What the test routes accept and answer.
struct PlaceOrder: Codable, Sendable {
    var item: String
    var quantity: Int
}

struct PlacedOrder: Codable, Sendable {
    var id: Int64
    var item: String
    var quantity: Int
}

struct Unexpected: Error {}

/// A service with idempotent routes over a real SQLite file. The business effect of every route is a row
/// in `effect`, so a test counts exactly how often a request was executed.
///
/// Routes (all `POST`):
/// * `/orders` (token required) and `/public/orders` (no token): key required, `perform` (one step).
/// * `/refunds`: key optional, `perform`.
/// * `/payments`: key required, `begin` + `complete` (two steps).
/// The input `{item, quantity}`: quantity ≤ 0 → 400 (validation), 99 → 422 (business), item `boom` → 500.
struct IdempotencyFixture {
    let directory: String
    let database: ServiceDatabase
    let clock: ManualClock
    let idempotency: Idempotency
    let issuer: TestIssuer
    let app: ServiceApp

    static let effectTable = ServiceMigration("idempotency-test-v1-effect") { db in
        try db.execute(sql: "CREATE TABLE effect (id INTEGER PRIMARY KEY AUTOINCREMENT, route TEXT NOT NULL, item TEXT NOT NULL, quantity INTEGER NOT NULL)")
    }

    init(settings: IdempotencySettings = IdempotencySettings()) async throws {
        directory = NSTemporaryDirectory() + "idempotency-\(UUID().uuidString)"
        database = try ServiceDatabase(path: directory + "/test.sqlite", migrations: [Self.effectTable])
        clock = ManualClock(start: Date(timeIntervalSince1970: 1_800_000_000))
        issuer = await TestIssuer()
        let config = try ServiceConfig(serviceName: "idempotency-test", defaultPort: 0, environment: ["LOG_LEVEL": "warning"])
        var logger = Logger(label: "idempotency-test")
        logger.logLevel = .warning
        app = ServiceApp(config: config, logger: logger)
        idempotency = Idempotency(database: database, settings: settings, clock: clock.serviceClock)
        let idempotency = idempotency
        let database = database
        // Keys loaded before serving, as `refresh()` documents. A cold verifier answers some concurrent
        // first requests 401: `refreshIfAllowed` returns early (rate limit) while the first request's
        // refresh is still in flight instead of awaiting it. That is JWTVerifier's matter, not this suite's.
        let verifier = issuer.verifier
        try await verifier.refresh()
        let auth = AuthMiddleware(verifier: verifier)

        for (path, middleware) in [("/orders", [auth] as [any MiddlewareProtocol<Request, Response, ServiceRequestContext>]), ("/public/orders", [])] {
            app.route(.post, path, doc: OperationDoc("Places an order", tag: "test"), middleware: middleware) { request, context in
                try await idempotency.perform(request: request, context: context, required: true) { db, claim in
                    try Self.execute(route: "orders", claim: claim, db: db)
                }
            }
        }
        app.route(.post, "/refunds", doc: OperationDoc("Refunds", tag: "test")) { request, context in
            try await idempotency.perform(request: request, context: context, required: false) { db, claim in
                try Self.execute(route: "refunds", claim: claim, db: db)
            }
        }
        app.route(.post, "/payments", doc: OperationDoc("Pays", tag: "test")) { request, context -> Response in
            let claim: IdempotencyClaim
            switch try await idempotency.begin(request: request, context: context, required: true) {
            case .replay(let answer): return answer.response
            case .proceed(let proceed): claim = proceed
            }
            do {
                // The business write lives in the route's own transaction, which also completes the key.
                let answer = try await database.write { db in
                    try idempotency.complete(claim, with: try Self.execute(route: "payments", claim: claim, db: db), in: db)
                }
                return answer.response
            } catch {
                await idempotency.release(claim)
                throw error
            }
        }
    }

    static func execute(route: String, claim: IdempotencyClaim, db: Database) throws -> EnvelopeResponse<PlacedOrder> {
        let input = try claim.decode(PlaceOrder.self)
        var check = Validator()
        check.require(input.quantity > 0, "quantity", "must be positive")
        try check.finish()
        try db.execute(sql: "INSERT INTO effect (route, item, quantity) VALUES (?, ?, ?)", arguments: [route, input.item, input.quantity])
        let id = db.lastInsertedRowID
        // After the write, so a failure proves the write rolled back.
        if input.quantity == 99 { throw APIError.unprocessable("Not that many") }
        if input.item == "boom" { throw Unexpected() }
        return EnvelopeResponse(PlacedOrder(id: id, item: input.item, quantity: input.quantity),
                                status: .created, message: "Created", headers: [.location: "/\(route)/\(id)"])
    }

    func effects(_ route: String? = nil) async throws -> Int {
        try await database.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM effect WHERE ? IS NULL OR route = ?", arguments: [route, route]) ?? -1
        }
    }

    /// A row of `idempotency_request`, as tests look at it.
    struct KeyRow: Sendable {
        var scope: String
        var principal: String
        var key: String
        var state: String
        var responseCode: Int?
        var responseBody: Data?
    }

    func keyRows() async throws -> [KeyRow] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM idempotency_request ORDER BY created_at").map { row in
                KeyRow(scope: row["scope"], principal: row["principal"], key: row["key"], state: row["state"],
                       responseCode: row["response_code"], responseBody: row["response_body"])
            }
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: Requests

    static func body(_ item: String = "book", quantity: Int = 1) -> ByteBuffer {
        ByteBuffer(string: #"{"item":"\#(item)","quantity":\#(quantity)}"#)
    }

    func headers(key: String?, subject: String? = nil) async throws -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let key { fields[.idempotencyKey] = key }
        if let subject { fields[.authorization] = "Bearer \(try await issuer.token(subject: subject))" }
        return fields
    }

    /// Runs `body` against the app in process (no socket).
    func withRouter<T: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        try await app.application().test(.router) { client in try await body(client) }
    }
}

/// The parts of an envelope tests look at.
struct EnvelopeBody: Decodable {
    var status: String
    var code: Int
    var data: PlacedOrder?
    var errors: [FieldError]?

    init(_ response: TestResponse) throws {
        self = try JSONDecoder().decode(EnvelopeBody.self, from: Data(buffer: response.body))
    }
}

/// Serves `app` on 127.0.0.1, port 0 (a real socket, as `shop serve` does), runs `body` with the bound
/// port, then shuts the server down gracefully.
func serveLive<T: Sendable>(_ app: ServiceApp, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> T {
    let (ports, portSink) = AsyncStream<Int>.makeStream()
    let application = app.application(onServerRunning: { channel in
        portSink.yield(channel.localAddress?.port ?? 0)
        portSink.finish()
    })
    let group = ServiceGroup(configuration: .init(services: [application], logger: app.logger))
    return try await withThrowingTaskGroup(of: T?.self) { tasks in
        tasks.addTask {
            try await group.run()
            return nil
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            await group.triggerGracefulShutdown()
            throw Unexpected()
        }
        do {
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
    }
}
