import Contracts
import Foundation
import Hummingbird
import Logging
import ServiceKit

/// The inventory service (`shop serve inventory`, port 8085): warehouses, stock per product and
/// warehouse, adjustments and counts, reservations for the order saga (HTTP and `inventory.commands`),
/// the products it knows from `catalog.product.v1`, the expiry sweeper and the outbox relay.
public enum InventoryServer: ShopService {
    public static let name = "inventory"
    public static var settingNames: [String] { InventoryConfiguration.settingNames }

    /// Scopes of service clients (API.md §1.4).
    static let readScope = "inventory.read"
    static let reserveScope = "inventory.reserve"

    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try await makeApp(config: config, environment: environment, clock: .system)
    }

    /// The assembled application with an injected clock (tests move time instead of sleeping).
    public static func makeApp(config: ServiceConfig, environment: [String: String], clock: ServiceClock,
                               logger: Logger? = nil) async throws -> ServiceApp {
        let logger = logger ?? Logger(label: name)
        let configuration = try InventoryConfiguration(environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: InventoryStore.migrations)
        let store = InventoryStore(database: database, clock: clock)

        let app = ServiceApp(config: config, logger: logger)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience, logger: logger)
        let authenticated = AuthMiddleware(verifier: verifier)
        let admin = AuthMiddleware(verifier: verifier, requiredRole: Roles.admin)
        let idempotency = app.enableIdempotency(database: database, settings: configuration.idempotency, clock: clock)
        WarehouseRoutes(store: store).register(on: app, admin: admin)
        ReservationRoutes(store: store, configuration: configuration).register(on: app, authenticated: authenticated)
        StockRoutes(store: store, idempotency: idempotency).register(on: app, authenticated: authenticated, admin: admin)

        // One consumer group for the service: the saga's commands and the catalog's product events. The
        // runner creates both topics first when they are missing (the order service may not exist yet).
        let commands = InventoryCommandHandler(configuration: configuration, clock: clock, logger: logger)
        let products = CatalogProductHandler(clock: clock)
        try app.addMessaging(database: database, subscriptions: [
            EventSubscription(topics: [Topics.inventoryCommands, Topics.catalogProduct]) { event, db in
                if event.topic == Topics.inventoryCommands {
                    try commands.handle(event, db)
                } else {
                    try products.handle(event, db)
                }
            },
        ])
        app.addBackgroundService(ReservationExpiry.job(store: store, configuration: configuration, logger: logger))
        return app
    }

    /// Envelope metadata of events a request causes: the request id correlates them, traceparent passes on.
    static func metadata(_ request: Request, _ context: ServiceRequestContext) -> EventMetadata {
        EventMetadata.caused(by: request, context: context)
    }
}
