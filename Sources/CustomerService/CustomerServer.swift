import Contracts
import Foundation
import Logging
import ServiceKit

/// The customer service (`shop serve customer`, port 8082): profiles and address books. It consumes
/// `iam.user.v1` (profiles from `UserRegistered`, frozen accounts from `UserAccountStatusChanged`) and
/// publishes `customer.customer.v1` through its outbox.
public enum CustomerServer: ShopService {
    public static let name = "customer"
    public static var settingNames: [String] { CustomerConfiguration.settingNames }

    /// The assembled application (also used by tests that run it in process).
    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try await makeApp(config: config, environment: environment, clock: .system, messaging: true)
    }

    /// - Parameter messaging: false leaves out the outbox relay and the consumer (HTTP tests without a
    ///   broker; the outbox rows are still written and can be read from the database).
    static func makeApp(config: ServiceConfig, environment: [String: String], clock: ServiceClock,
                        messaging: Bool) async throws -> ServiceApp {
        var logger = Logger(label: name)
        // LOG_LEVEL also for an app assembled in process (tests), where `shop` has not bootstrapped logging.
        logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
        let configuration = try CustomerConfiguration(environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: CustomerStore.migrations)
        let customers = Customers(store: CustomerStore(database: database), configuration: configuration, clock: clock)

        let app = ServiceApp(config: config, logger: logger)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience,
                                   logger: logger)
        let access = RouteAccess(verifier: verifier)
        ProfileRoutes(customers: customers).register(on: app, access: access)
        AddressRoutes(customers: customers).register(on: app, access: access)

        if messaging {
            let userEvents = IAMUserEvents(clock: clock)
            let maxAttempts = configuration.eventMaxAttempts
            try app.addMessaging(database: database, subscriptions: [
                EventSubscription(topics: [Topics.iamUser], configure: { $0.maxAttempts = maxAttempts }) { event, db in
                    try userEvents.apply(event, db)
                },
            ])
        } else {
            app.addReadinessCheck(.database(database))
        }
        return app
    }
}
