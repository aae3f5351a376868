import Foundation
import Logging
import ServiceKit

/// The service registry process (port 8761): instances register, heartbeat and deregister; the gateway
/// lists them. State lives in the registry's own SQLite file, so it survives a restart.
public enum DiscoveryServer: ShopService {
    public static let name = "discovery"
    public static var settingNames: [String] { RegistryConfiguration.settingNames }

    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        try makeApp(config: config, environment: environment, clock: .system)
    }

    /// The assembled application (also used by tests that run it in-process with their own clock).
    public static func makeApp(config: ServiceConfig, environment: [String: String], clock: ServiceClock) throws -> ServiceApp {
        let logger = Logger(label: name)
        let configuration = try RegistryConfiguration(environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: RegistryMigrations.all)
        let registry = Registry(store: RegistryStore(database: database), clock: clock, ttl: configuration.instanceTTL)

        let app = ServiceApp(config: config, logger: logger)
        DiscoveryRoutes(registry: registry).register(on: app)
        app.addReadinessCheck(.database(database))
        // Reads already hide expired instances; the sweep keeps the table from growing with dead ones.
        app.addBackgroundService(PeriodicJob("expiry sweep", every: configuration.sweepInterval, logger: logger) {
            let removed = try await registry.sweep()
            if removed > 0 { logger.info("expired instances removed", metadata: ["count": "\(removed)"]) }
        })
        logger.info("registry ready", metadata: ["ttlSeconds": "\(configuration.instanceTTL.components.seconds)",
                                                 "database": "\(database.path)"])
        return app
    }
}
