import Contracts
import Foundation
import ServiceKit

/// The payment service's settings. Every field has a default that works under `shop up`;
/// `init(config:environment:)` reads them, and an unparsable or out-of-range value is an error naming
/// the variable.
public struct PaymentConfiguration: Sendable {
    /// `SHOP_CURRENCY` (default EUR): the one currency the shop sells in.
    public var currency: Currency = .EUR
    /// `PSP_CALL_TIMEOUT_MS` (default 2000): the deadline of one call to the payment provider.
    public var providerCallTimeout: Duration = .milliseconds(2000)
    /// `PSP_DELAYED_SUCCESS_SECONDS` (default 5): when the simulated provider captures `tok_delayed_success`.
    public var delayedSuccess: TimeInterval = 5
    /// `PAYMENT_RECONCILE_INTERVAL_MS` (default 1000): how often open payments, requested voids and
    /// pending refunds are taken to the provider.
    public var reconcileInterval: Duration = .milliseconds(1000)
    /// `PAYMENT_ORDER_SERVICE_URL` (default the order service's seed URL): where read-through asks.
    public var orderServiceURL: String = ServiceCatalogue.localURL(of: "order") ?? "http://127.0.0.1:8084"
    /// `PAYMENT_ORDER_READ_TIMEOUT_MS` (default 2000): the deadline of one read-through call.
    public var orderReadTimeout: Duration = .milliseconds(2000)
    /// IAM's token endpoint (ServiceKit's `OAUTH_TOKEN_URL`).
    public var tokenURL: String = (ServiceCatalogue.localURL(of: "iam") ?? "http://127.0.0.1:8081") + "/oauth2/token"
    /// The client-credentials client with scope `order.read` (ServiceKit's `SERVICE_CLIENT_ID` and
    /// `SERVICE_CLIENT_SECRET`; `shop up` sets them). Without a secret there is no read-through.
    public var clientId: String = "payment-service"
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
        providerCallTimeout = .milliseconds(try env.int("PSP_CALL_TIMEOUT_MS", default: 2000, range: 10...60_000))
        delayedSuccess = TimeInterval(try env.int("PSP_DELAYED_SUCCESS_SECONDS", default: 5, range: 0...3600))
        reconcileInterval = .milliseconds(try env.int("PAYMENT_RECONCILE_INTERVAL_MS", default: 1000, range: 10...600_000))
        orderServiceURL = env.string("PAYMENT_ORDER_SERVICE_URL", default: orderServiceURL)
        orderReadTimeout = .milliseconds(try env.int("PAYMENT_ORDER_READ_TIMEOUT_MS", default: 2000, range: 10...60_000))
        tokenURL = config.oauthTokenURL
        if let client = config.serviceClient {
            clientId = client.clientId
            clientSecret = client.clientSecret
        }
        idempotency = try IdempotencySettings(environment: environment)
    }

    /// Every variable `init(config:environment:)` reads beyond `ServiceConfig`'s.
    public static let settingNames = [
        "SHOP_CURRENCY", "PSP_CALL_TIMEOUT_MS", "PSP_DELAYED_SUCCESS_SECONDS", "PAYMENT_RECONCILE_INTERVAL_MS",
        "PAYMENT_ORDER_SERVICE_URL", "PAYMENT_ORDER_READ_TIMEOUT_MS",
    ]
}
