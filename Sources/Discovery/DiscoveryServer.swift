import Foundation
import Logging
import ServiceKit

/// The service registry process (port 8761): instances register, heartbeat and deregister; the gateway
/// lists them. State lives in the registry's own SQLite file, so it survives a restart.
public enum DiscoveryServer {
    public static func run(config: ServiceConfig, environment: [String: String]) async throws {
        let app = try makeApp(config: config, environment: environment)
        try await app.run()
    }

    /// The assembled application (also used by tests that run it in-process with their own clock).
    public static func makeApp(config: ServiceConfig, environment: [String: String], clock: RegistryClock = .system) throws -> ServiceApp {
        let logger = Logger(label: "discovery")
        let configuration = try RegistryConfiguration(environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: RegistryMigrations.all)
        let registry = Registry(store: RegistryStore(database: database), clock: clock, ttl: configuration.instanceTTL)

        let app = ServiceApp(config: config, logger: logger)
        DiscoveryRoutes(registry: registry).register(on: app)
        app.addReadinessCheck(.database(database))
        app.addBackgroundService(ExpirySweeper(registry: registry, interval: configuration.sweepInterval, logger: logger))
        logger.info("registry ready", metadata: ["ttlSeconds": "\(configuration.instanceTTL.components.seconds)",
                                                 "database": "\(database.path)"])
        return app
    }
}
