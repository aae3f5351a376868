import Contracts
import Foundation
import Logging
import ServiceKit

/// The shipping service (`shop serve shipping`, port 8087): shipments for orders with the simulated
/// carrier, tracking, the carrier's event endpoint, the order saga's `shipping.commands`, and pick lists
/// from inventory's `StockCommitted`.
public enum ShippingServer: ShopService {
    public static let name = "shipping"
    public static var settingNames: [String] { ShippingConfiguration.settingNames }

    /// The assembled application (also used by tests that run it in process).
    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try await makeApp(config: config, environment: environment, clock: .system)
    }

    /// The same, with the clock and the carrier replaceable (tests).
    public static func makeApp(config: ServiceConfig, environment: [String: String], clock: ServiceClock,
                               carrier: (any Carrier)? = nil) async throws -> ServiceApp {
        let logger = Logger(label: name)
        let configuration = try ShippingConfiguration(environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: ShippingStore.migrations)
        let shipping = Shipping(store: ShippingStore(database: database),
                                carrier: carrier ?? SimulatedCarrier(currency: configuration.currency), clock: clock)

        let app = ServiceApp(config: config, logger: logger)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience, logger: logger)
        ShipmentRoutes(shipping: shipping, verifier: verifier).register(on: app)
        let handler = ShippingEventHandler(shipping: shipping, logger: logger)
        try app.addMessaging(database: database, subscriptions: [
            EventSubscription(topics: ShippingEventHandler.topics, handler: { event, db in try handler.apply(event, db) }),
        ])
        return app
    }
}
