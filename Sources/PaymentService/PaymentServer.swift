import Contracts
import Foundation
import Logging
import ServiceKit

/// The payment service (`shop serve payment`, port 8086): the payable-order projection, payments and
/// refunds over HTTP, the saga's commands, the simulated provider and the reconciler that polls it.
public enum PaymentServer: ShopService {
    public static let name = "payment"
    public static var settingNames: [String] { PaymentConfiguration.settingNames }

    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try await makeApp(config: config, environment: environment, provider: nil)
    }

    /// The assembled application. Tests pass their own `provider` (or `clock`) to observe or steer it.
    public static func makeApp(config: ServiceConfig, environment: [String: String], provider: (any PaymentProvider)?,
                               clock: ServiceClock = .system) async throws -> ServiceApp {
        let logger = Logger(label: config.serviceName)
        let configuration = try PaymentConfiguration(config: config, environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: PaymentStore.migrations)
        let store = PaymentStore(database: database)
        let provider = provider ?? SimulatedPaymentProvider(delayedSuccess: configuration.delayedSuccess, clock: clock)

        var readThrough: OrderServiceClient?
        if let secret = configuration.clientSecret {
            var policy = ServiceHTTPClient.Policy()
            policy.timeout = configuration.orderReadTimeout
            let http = ServiceHTTPClient(policy: policy)
            let token = ClientCredentialsToken(credentials: .init(tokenURL: configuration.tokenURL, clientId: configuration.clientId,
                                                                  clientSecret: secret, scope: "order.read"), http: http)
            readThrough = OrderServiceClient(baseURL: configuration.orderServiceURL, token: token, http: http)
        } else {
            logger.notice("SERVICE_CLIENT_ID/SERVICE_CLIENT_SECRET are not set: no read-through to the order service; payable orders come from events only")
        }
        let payments = Payments(store: store, provider: provider, deadline: ProviderDeadline(timeout: configuration.providerCallTimeout),
                                orders: OrderDirectory(store: store, readThrough: readThrough, logger: logger), clock: clock, logger: logger,
                                currency: configuration.currency)

        let app = ServiceApp(config: config, logger: logger)
        let idempotency = app.enableIdempotency(database: database, settings: configuration.idempotency, clock: clock)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience)
        PaymentRoutes(payments: payments, idempotency: idempotency, verifier: verifier, provider: provider).register(on: app)
        try app.addMessaging(database: database, subscriptions: [PaymentSubscription.make(clock: clock, logger: logger)])
        app.addBackgroundService(PaymentReconciler.job(payments, every: configuration.reconcileInterval, logger: logger))
        return app
    }
}
