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
        _ = OrderStore(database: database)
        let app = ServiceApp(config: config, logger: logger)
        // The cart and the read-through (API.md §4.1, §1.9); `readThrough.ensureAddress` is for POST /orders.
        let store = OrderStore(database: database)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience, logger: logger)
        let readThrough = ProjectionReadThrough(configuration: configuration, store: store, clock: clock, logger: logger)
        CartRoutes(store: store, readThrough: readThrough, currency: configuration.currency, clock: clock).register(on: app, verifier: verifier)
        // EVENTS: the service's ONE subscription. The saga's wiring replaces `subscriptions: []` below with
        // `[OrderEventDispatcher(projections: ProjectionEventHandler(clock: clock, logger: logger),
        //                        saga: (topics: <saga topics>, handler: <saga handler>)).subscription]`.
        try app.addMessaging(database: database, subscriptions: [])
        return app
    }
}
