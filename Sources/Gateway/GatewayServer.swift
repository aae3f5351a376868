import Hummingbird
import Logging
import NIOCore
import ServiceKit

/// Port 8080: the single entry point in front of the services.
public enum GatewayServer: ShopService {
    public static let name = "gateway"
    public static var settingNames: [String] { GatewayConfiguration.settingNames }

    /// The assembled application (tests run it in-process with `application(onServerRunning:)`). It owns
    /// an HTTP client that is shut down when the application's service group stops, so run what you make.
    public static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp {
        let configuration = try GatewayConfiguration(config: config, environment: environment)
        var config = config
        config.maxBodyBytes = configuration.maxBodyBytes
        config.trustedProxies = configuration.trustedProxies
        let logger = Logger(label: config.serviceName)
        let app = ServiceApp(config: config, logger: logger)

        let maxTimeout = ([configuration.upstreamTimeout] + configuration.upstreamTimeouts.values).max() ?? configuration.upstreamTimeout
        let clientService = UpstreamClientService(connectTimeout: .nanoseconds(Self.nanoseconds(configuration.connectTimeout)),
                                                  idleReadTimeout: .nanoseconds(max(Self.nanoseconds(maxTimeout), 60_000_000_000)),
                                                  connectionsPerInstance: configuration.upstreamConnections)
        let registry = configuration.discoveryURL.map {
            RegistryInstanceCache(registryURL: $0, ttl: configuration.discoveryCacheTTL, client: clientService.client, logger: logger)
        }
        let circuits = UpstreamCircuits(services: configuration.routes.services, failureThreshold: configuration.breakerFailures,
                                        openDuration: configuration.breakerOpen)
        let verifier = JWTVerifier(source: .http(config.jwksURL), issuer: config.jwtIssuer, audience: config.jwtAudience, logger: logger)
        app.router.add(middleware: GatewayMiddleware(
            configuration: configuration,
            resolver: UpstreamResolver(staticUpstreams: configuration.staticUpstreams, registry: registry),
            balancer: InstanceBalancer(ejection: configuration.ejection),
            circuits: circuits,
            forwarder: UpstreamForwarder(client: clientService.client, trustedProxies: configuration.trustedProxies),
            auth: AuthMiddleware(verifier: verifier),
            authLimiter: TokenBucketLimiter(burst: configuration.authRateBurst, perSecond: Double(configuration.authRatePerMinute) / 60),
            limiter: TokenBucketLimiter(burst: configuration.rateBurst, perSecond: Double(configuration.ratePerMinute) / 60),
            metrics: GatewayMetrics(app: app)
        ))
        app.route(.get, "/health", doc: OperationDoc("The gateway is up; circuit state per upstream service", tag: "operations")) { _, _ in
            EnvelopeResponse(GatewayHealth(status: "UP", circuits: circuits.states), message: "up")
        }
        app.addBackgroundService(clientService)
        return app
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
    }
}

struct GatewayHealth: Encodable, Sendable {
    var status: String
    var circuits: [String: String]
}
