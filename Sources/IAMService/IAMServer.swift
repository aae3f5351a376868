import Foundation
import Logging
import ServiceKit

/// The IAM service process: configuration from the environment, database, domain core, admin seeding,
/// service clients, routes, outbox relay; serves until SIGTERM.
public enum IAMServer {
    public static func run(config: ServiceConfig, environment: [String: String]) async throws {
        let app = try await makeApp(config: config, environment: environment)
        try await app.run()
    }

    /// The assembled application (also used by tests that run it in-process).
    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        let logger = Logger(label: "iam")
        let env = EnvironmentReader(environment)
        let iamConfiguration = try configuration(config: config, env: env)
        let database = try ServiceDatabase(path: config.databasePath, migrations: IAMStore.migrations)
        let core = try await IAMCore.start(database: database, configuration: iamConfiguration)

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
        for client in try serviceClients(env.optional("IAM_SERVICE_CLIENTS")) {
            try await core.tokens.registerClient(clientId: client.id, secret: client.secret, scopes: client.scopes)
        }

        let verifier = JWTVerifier(
            source: JWKSSource(description: "iam signing keys") { try await core.signingKeys.jwksJSON() },
            issuer: iamConfiguration.issuer, audience: iamConfiguration.audience, minimumRefreshInterval: .seconds(1))
        let limiter = TokenBucketLimiter(
            burst: try env.int("IAM_LOGIN_RATE_BURST", default: 10, range: 1...100_000),
            perSecond: Double(try env.int("IAM_LOGIN_RATE_PER_MINUTE", default: 60, range: 1...1_000_000)) / 60)

        let app = ServiceApp(config: config, logger: logger)
        IAMRoutes(core: core, verifier: verifier, loginLimiter: limiter).register(on: app)
        app.addReadinessCheck(.database(database))
        app.addReadinessCheck(.broker(bootstrap: config.kafkaBootstrapServers))
        var relayConfiguration = OutboxRelayConfiguration(serviceName: config.serviceName)
        relayConfiguration.pollInterval = .milliseconds(try env.int("OUTBOX_POLL_INTERVAL_MS", default: 1000, range: 10...600_000))
        let bootstrap = config.kafkaBootstrapServers.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        app.addBackgroundService(RefreshTokenPruner(
            store: core.store, logger: logger,
            interval: .seconds(try env.int("IAM_REFRESH_PRUNE_SECONDS", default: 3600, range: 10...(7 * 86_400)))))
        app.addBackgroundService(try OutboxRelay(database: database, bootstrap: bootstrap, configuration: relayConfiguration,
                                                 metrics: app.registry, logger: logger))
        return app
    }

    static func configuration(config: ServiceConfig, env: EnvironmentReader) throws -> IAMConfiguration {
        var configuration = IAMConfiguration()
        configuration.issuer = config.jwtIssuer
        configuration.audience = config.jwtAudience
        configuration.accessTokenTTL = TimeInterval(try env.int("IAM_ACCESS_TOKEN_TTL_SECONDS", default: 900, range: 30...86_400))
        configuration.refreshTokenTTL = TimeInterval(try env.int("IAM_REFRESH_TOKEN_TTL_SECONDS", default: 30 * 86_400, range: 60...(365 * 86_400)))
        configuration.signingKeyRotationAge = TimeInterval(try env.int("IAM_KEY_ROTATION_SECONDS", default: 30 * 86_400, range: 60...(365 * 86_400)))
        configuration.lockoutThreshold = try env.int("IAM_LOCKOUT_THRESHOLD", default: 5, range: 1...1000)
        configuration.lockoutDuration = TimeInterval(try env.int("IAM_LOCKOUT_SECONDS", default: 900, range: 1...(30 * 86_400)))
        return configuration
    }

    /// `IAM_SERVICE_CLIENTS`: comma-separated `client_id:secret:scope scope…` entries for client_credentials.
    static func serviceClients(_ value: String?) throws -> [(id: String, secret: String, scopes: [String])] {
        guard let value else { return [] }
        return try value.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ConfigError.invalid(name: "IAM_SERVICE_CLIENTS", value: String(entry), expected: "client_id:secret[:scope scope…]")
            }
            let scopes = parts.count > 2 ? parts[2].split(separator: " ").map(String.init) : []
            return (parts[0], parts[1], scopes)
        }
    }
}
