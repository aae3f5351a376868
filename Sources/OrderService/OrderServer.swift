import Contracts
import Foundation
import Logging
import ServiceKit

/// The order service (`shop serve order`, port 8084): the cart, orders, and the checkout saga that drives
/// inventory, payment and shipping over the broker (API.md §4, DOMAIN.md §4.3–§4.6). The order row is the
/// saga instance.
public enum OrderServer: ShopService {
    public static let name = "order"
    public static var settingNames: [String] { OrderConfiguration.settingNames }

    /// The assembled application (also used by tests that run it in process).
    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try await makeApp(config: config, configuration: try OrderConfiguration(config: config, environment: environment), clock: .system)
    }

    /// The same, with the settings and the clock replaceable (tests).
    public static func makeApp(config: ServiceConfig, configuration: OrderConfiguration, clock: ServiceClock) async throws -> ServiceApp {
        let logger = Logger(label: name)
        let database = try ServiceDatabase(path: config.databasePath, migrations: OrderStore.migrations)
        let store = OrderStore(database: database)
        let orders = Orders(store: store, settings: configuration.saga, currency: configuration.currency, clock: clock, logger: logger)
        let app = ServiceApp(config: config, logger: logger)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience, logger: logger)
        let idempotency = app.enableIdempotency(database: database, settings: configuration.idempotency, clock: clock)
        // Projection misses read through to the owner (API.md §1.9): products for the cart, addresses for checkout.
        let readThrough = ProjectionReadThrough(configuration: configuration, store: store, clock: clock, logger: logger)

        CartRoutes(store: store, readThrough: readThrough, currency: configuration.currency, clock: clock).register(on: app, verifier: verifier)
        OrderRoutes(orders: orders, idempotency: idempotency, verifier: verifier, findAddress: { userId, addressId in
            try await readThrough.ensureAddress(userId: userId, addressId: addressId)
        }).register(on: app)

        // One subscription (one group) for everything the service consumes, dispatched by topic.
        let saga = SagaEventHandler(orders: orders)
        let sagaTopics = Set(SagaEventHandler.topics)
        let dispatcher = OrderEventDispatcher(projections: ProjectionEventHandler(clock: clock, logger: logger),
                                              saga: (topics: SagaEventHandler.topics, handler: { event, db in try saga.apply(event, db) }))
        try app.addMessaging(database: database, subscriptions: [dispatcher.subscription { consumer in
            // C14: a checkout message no retry could apply leaves its order `stuck` for an operator.
            consumer.onDeadLetter = { record, db in
                guard sagaTopics.contains(record.topic), let orderId = record.key else { return }
                try OrderStore.markStuck(orderId: orderId, now: clock.now(), db)
            }
        }])
        app.addBackgroundService(SagaDeadlineJob.make(orders: orders, interval: configuration.deadlinePollInterval, logger: logger))
        app.addBackgroundService(OrderMetricsJob.make(store: store, app: app, interval: configuration.metricsRefreshInterval,
                                                      clock: clock, logger: logger))
        return app
    }
}
