import Contracts
import Foundation
import ServiceKit

/// The order service's settings (API.md §10). Every field has a default that works under `shop up`;
/// `init(config:environment:)` reads them, and an unparsable or out-of-range value is an error naming the
/// variable.
public struct OrderConfiguration: Sendable {
    /// `SHOP_CURRENCY` (default EUR): the one currency the shop sells in.
    public var currency: Currency = .EUR
    /// The saga's timing: `ORDER_RESERVATION_REPLY_TIMEOUT_SECONDS` (30), `ORDER_RESERVATION_RESENDS` (3),
    /// `ORDER_RESERVATION_TTL_SECONDS` (unset: inventory's default), `ORDER_PAYMENT_TIMEOUT_SECONDS` (120),
    /// `ORDER_MAX_PAYMENT_ATTEMPTS` (3), `ORDER_RETURN_WINDOW_DAYS` (14) or `ORDER_RETURN_WINDOW_SECONDS`
    /// (overrides the days; for tests), `ORDER_REFUND_RETRY_SECONDS` (60), `ORDER_REFUND_MAX_ATTEMPTS` (3),
    /// `ORDER_SHIPMENT_RETRY_SECONDS` (30), `ORDER_SHIPMENT_MAX_ATTEMPTS` (3).
    public var saga = SagaSettings()
    /// `ORDER_CATALOG_URL` / `ORDER_CUSTOMER_URL` (default the seed URLs): where read-through asks (§1.9).
    public var catalogURL: String = ServiceCatalogue.localURL(of: "catalog") ?? "http://127.0.0.1:8083"
    public var customerURL: String = ServiceCatalogue.localURL(of: "customer") ?? "http://127.0.0.1:8082"
    /// `ORDER_READ_TIMEOUT_MS` (default 2000): the deadline of one read-through call.
    public var readTimeout: Duration = .milliseconds(2000)
    /// `ORDER_DEADLINE_POLL_MS` (default 1000): the longest the deadline job sleeps before looking again
    /// (it wakes earlier for a deadline due sooner).
    public var deadlinePollInterval: Duration = .milliseconds(1000)
    /// `ORDER_METRICS_REFRESH_MS` (default 15000): how often the order gauges on `/metrics` (orders by status,
    /// cancelled by reason, stuck) are read from the database; one grouped query each time.
    public var metricsRefreshInterval: Duration = .milliseconds(15000)
    /// IAM's token endpoint (ServiceKit's `OAUTH_TOKEN_URL`).
    public var tokenURL: String = (ServiceCatalogue.localURL(of: "iam") ?? "http://127.0.0.1:8081") + "/oauth2/token"
    /// The client-credentials client with `customer.read catalog.read inventory.read` (ServiceKit's
    /// `SERVICE_CLIENT_ID` / `SERVICE_CLIENT_SECRET`; `shop up` sets them). Without a secret there is no
    /// read-through: a projection miss answers 503.
    public var clientId: String = "order-service"
    public var clientSecret: String?
    /// Idempotency-Key lease and retention (`IDEMPOTENCY_LEASE_SECONDS`, `IDEMPOTENCY_RETENTION_HOURS`).
    public var idempotency = IdempotencySettings()

    /// The defaults (tests adjust fields directly).
    public init() {}

    public init(config: ServiceConfig, environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        let code = env.string("SHOP_CURRENCY", default: "EUR")
        do {
            currency = try Currency(code: code)
        } catch {
            throw ConfigError.invalid(name: "SHOP_CURRENCY", value: code,
                                      expected: "one of \(Currency.supported.map(\.code).joined(separator: ", "))")
        }
        saga.reservationReplyTimeout = TimeInterval(try env.int("ORDER_RESERVATION_REPLY_TIMEOUT_SECONDS", default: 30, range: 1...3600))
        saga.reservationResends = try env.int("ORDER_RESERVATION_RESENDS", default: 3, range: 0...100)
        if env.string("ORDER_RESERVATION_TTL_SECONDS", default: "").isEmpty == false {
            saga.reservationTTLSeconds = try env.int("ORDER_RESERVATION_TTL_SECONDS", default: 900, range: 60...86_400)
        }
        saga.paymentTimeout = TimeInterval(try env.int("ORDER_PAYMENT_TIMEOUT_SECONDS", default: 120, range: 1...86_400))
        saga.maxPaymentAttempts = try env.int("ORDER_MAX_PAYMENT_ATTEMPTS", default: 3, range: 1...100)
        saga.returnWindow = TimeInterval(try env.int("ORDER_RETURN_WINDOW_DAYS", default: 14, range: 0...365)) * 86_400
        if env.string("ORDER_RETURN_WINDOW_SECONDS", default: "").isEmpty == false {
            saga.returnWindow = TimeInterval(try env.int("ORDER_RETURN_WINDOW_SECONDS", default: 0, range: 1...31_536_000))
        }
        saga.refundRetryDelay = TimeInterval(try env.int("ORDER_REFUND_RETRY_SECONDS", default: 60, range: 1...86_400))
        saga.maxRefundAttempts = try env.int("ORDER_REFUND_MAX_ATTEMPTS", default: 3, range: 1...100)
        saga.shipmentRetryDelay = TimeInterval(try env.int("ORDER_SHIPMENT_RETRY_SECONDS", default: 30, range: 1...86_400))
        saga.maxShipmentAttempts = try env.int("ORDER_SHIPMENT_MAX_ATTEMPTS", default: 3, range: 1...100)
        catalogURL = env.string("ORDER_CATALOG_URL", default: catalogURL)
        customerURL = env.string("ORDER_CUSTOMER_URL", default: customerURL)
        readTimeout = .milliseconds(try env.int("ORDER_READ_TIMEOUT_MS", default: 2000, range: 10...60_000))
        deadlinePollInterval = .milliseconds(try env.int("ORDER_DEADLINE_POLL_MS", default: 1000, range: 10...60_000))
        metricsRefreshInterval = .milliseconds(try env.int("ORDER_METRICS_REFRESH_MS", default: 15000, range: 100...3_600_000))
        tokenURL = config.oauthTokenURL
        if let client = config.serviceClient {
            clientId = client.clientId
            clientSecret = client.clientSecret
        }
        idempotency = try IdempotencySettings(environment: environment)
    }

    /// Every variable `init(config:environment:)` reads beyond `ServiceConfig`'s.
    public static let settingNames = [
        "SHOP_CURRENCY", "ORDER_RESERVATION_REPLY_TIMEOUT_SECONDS", "ORDER_RESERVATION_RESENDS", "ORDER_RESERVATION_TTL_SECONDS",
        "ORDER_PAYMENT_TIMEOUT_SECONDS", "ORDER_MAX_PAYMENT_ATTEMPTS", "ORDER_RETURN_WINDOW_DAYS", "ORDER_RETURN_WINDOW_SECONDS",
        "ORDER_REFUND_RETRY_SECONDS", "ORDER_REFUND_MAX_ATTEMPTS", "ORDER_SHIPMENT_RETRY_SECONDS", "ORDER_SHIPMENT_MAX_ATTEMPTS",
        "ORDER_CATALOG_URL", "ORDER_CUSTOMER_URL", "ORDER_READ_TIMEOUT_MS", "ORDER_DEADLINE_POLL_MS",
        "ORDER_METRICS_REFRESH_MS",
    ]
}
