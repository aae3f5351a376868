import Foundation
import Logging
import ServiceKit

/// The identity and access service (`shop serve iam`, port 8081): configuration, database, domain core,
/// admin seeding, service clients, routes, the outbox relay and refresh-token pruning.
public enum IAMServer: ShopService {
    public static let name = "iam"
    public static var settingNames: [String] { IAMConfiguration.settingNames }

    /// The assembled application (also used by tests that run it in-process).
    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        let logger = Logger(label: name)
        let configuration = try IAMConfiguration(config: config, environment: environment)
        let database = try ServiceDatabase(path: config.databasePath, migrations: IAMStore.migrations)
        let core = try await IAMCore.start(database: database, configuration: configuration)

        switch try await core.accounts.seedAdmin(AdminSeedConfiguration(environment: environment, production: config.production)) {
        case .created(let admin, let usedDefaultPassword):
            if usedDefaultPassword {
                logger.warning("seeded the admin account with the development default password; set IAM_ADMIN_PASSWORD",
                               metadata: ["email": "\(admin.email)"])
            } else {
                logger.info("seeded the admin account", metadata: ["email": "\(admin.email)"])
            }
        case .adminAlreadyPresent:
            break
        }
        for client in configuration.serviceClients {
            try await core.tokens.registerClient(clientId: client.id, secret: client.secret, scopes: client.scopes)
        }

        let app = ServiceApp(config: config, logger: logger)
        IAMRoutes(core: core, configuration: configuration).register(on: app)
        try app.addMessaging(database: database)
        app.addBackgroundService(PeriodicJob("refresh-token pruning", every: configuration.refreshPruneInterval,
                                             start: .immediately, logger: logger) {
            let pruned = try await core.store.pruneRefreshTokens(expiredBefore: Date())
            if pruned > 0 { logger.info("pruned expired refresh-token sessions", metadata: ["sessions": "\(pruned)"]) }
        })
        return app
    }
}
