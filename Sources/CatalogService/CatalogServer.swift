import Foundation
import Logging
import ServiceKit

/// The catalog service (`shop serve catalog`, port 8083): products, the category tree, search, reviews,
/// and the availability and review-eligibility projections fed by inventory and order events.
public enum CatalogServer: ShopService {
    public static let name = "catalog"
    public static var settingNames: [String] { CatalogConfiguration.settingNames }

    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try await makeApp(config: config, environment: environment, logger: Logger(label: name))
    }

    /// The assembled application; tests pass their own logger and clock.
    static func makeApp(config: ServiceConfig, environment: [String: String], logger: Logger,
                        clock: ServiceClock = .system) async throws -> ServiceApp {
        let configuration = try CatalogConfiguration(environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: CatalogStore.migrations)
        let catalog = Catalog(store: CatalogStore(database: database), configuration: configuration, clock: clock)

        let app = ServiceApp(config: config, logger: logger)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience, logger: logger)
        let publicAccess = OptionalAuthMiddleware(verifier: verifier)
        let user = AuthMiddleware(verifier: verifier)
        let admin = AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)
        ProductRoutes(catalog: catalog).register(on: app, publicAccess: publicAccess, admin: admin)
        ReviewRoutes(catalog: catalog).register(on: app, publicAccess: publicAccess, user: user)
        CategoryRoutes(catalog: catalog).register(on: app, publicAccess: publicAccess, admin: admin)
        try app.addMessaging(database: database, subscriptions: [
            EventSubscription(topics: CatalogEvents.topics) { event, db in try CatalogEvents.apply(event, db) },
        ])
        return app
    }
}
