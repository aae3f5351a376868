import Foundation
import ServiceKit

/// The gateway's own settings, read from the environment (ServiceKit's `ServiceConfig` holds the shared
/// ones: port, JWKS URL, issuer, audience, CORS, `DISCOVERY_URL`). The README's configuration table lists them.
public struct GatewayConfiguration: Sendable {
    /// `GATEWAY_ROUTES` (default: the seed's prefix table, `GatewayRoute.defaults`).
    public var routes: GatewayRouteTable
    /// `UPSTREAM_<SERVICE>_URL`: comma-separated base URLs per service (defaults: the seed ports on 127.0.0.1).
    public var staticUpstreams: [String: [String]]
    /// `GATEWAY_PUBLIC_ROUTES`: reachable without a token.
    public var publicRoutes: [RoutePattern]
    /// `GATEWAY_AUTH_RATE_ROUTES` (default `/auth/**,/oauth2/**`): limited by the tighter auth bucket.
    public var authRateRoutes: [RoutePattern]
    /// `GATEWAY_AUTH_RATE_BURST` (20) and `GATEWAY_AUTH_RATE_PER_MINUTE` (300) per client address.
    public var authRateBurst: Int
    public var authRatePerMinute: Int
    /// `GATEWAY_RATE_BURST` (200) and `GATEWAY_RATE_PER_MINUTE` (6000) per client address, other routes.
    public var rateBurst: Int
    public var ratePerMinute: Int
    /// `GATEWAY_UPSTREAM_TIMEOUT_MS` (10000): time to the upstream's response head; `UPSTREAM_<SERVICE>_TIMEOUT_MS` overrides it.
    public var upstreamTimeout: Duration
    public var upstreamTimeouts: [String: Duration]
    /// `GATEWAY_BREAKER_FAILURES` (5 consecutive failures) and `GATEWAY_BREAKER_OPEN_MS` (10000).
    public var breakerFailures: Int
    public var breakerOpen: Duration
    /// `GATEWAY_CONNECT_TIMEOUT_MS` (1000): connecting to an instance (refused connections are retried until then).
    public var connectTimeout: Duration
    /// `GATEWAY_UPSTREAM_CONNECTIONS` (128): open connections per upstream instance. A request that finds them
    /// all busy waits for one only as long as `connectTimeout` (AsyncHTTPClient's pool), then answers 502, so
    /// this bounds the burst an instance takes without a 502, not the requests it serves.
    public var upstreamConnections: Int
    /// `GATEWAY_EJECTION_MS` (10000): how long a failing instance is left out of the rotation.
    public var ejection: Duration
    /// `DISCOVERY_URL` (from ServiceConfig) and `GATEWAY_DISCOVERY_CACHE_MS` (5000).
    public var discoveryURL: String?
    public var discoveryCacheTTL: Duration
    /// `GATEWAY_MAX_BODY_BYTES` (32 MiB): a declared Content-Length above it is refused with 413.
    public var maxBodyBytes: Int
    /// `GATEWAY_TRUSTED_PROXIES` (default `none`): load balancers in front of the gateway whose
    /// `X-Forwarded-For` it believes. The gateway is the edge, so by default it believes no one and keys
    /// its rate limits on the socket peer; the services behind it trust it through `TRUSTED_PROXIES`.
    public var trustedProxies: TrustedProxies

    /// The seed ports of the services behind the gateway (`ServiceCatalogue`).
    public static var defaultPorts: [String: Int] {
        Dictionary(uniqueKeysWithValues: ServiceCatalogue.entries.filter(\.behindGateway).map { ($0.name, $0.port) })
    }
    public static let defaultPublicRoutes = "/auth/**,/.well-known/**,/oauth2/**,GET /products/**,GET /categories/**"

    public init(config: ServiceConfig, environment: [String: String]) throws {
        let env = EnvironmentReader(environment)
        if let text = env.optional("GATEWAY_ROUTES") {
            routes = GatewayRouteTable(try GatewayRoute.parse(text))
        } else {
            routes = GatewayRouteTable(try GatewayRoute.defaults.map { GatewayRoute(pattern: try RoutePattern(parsing: $0.0), service: $0.1) })
        }
        var upstreams: [String: [String]] = [:]
        var timeouts: [String: Duration] = [:]
        for service in routes.services {
            let variable = "UPSTREAM_\(Self.variableStem(service))_URL"
            if let text = env.optional(variable) {
                upstreams[service] = try Self.urls(text, variable: variable)
            } else if let port = Self.defaultPorts[service] {
                upstreams[service] = ["http://127.0.0.1:\(port)"]
            }
            let timeoutVariable = "UPSTREAM_\(Self.variableStem(service))_TIMEOUT_MS"
            if env.optional(timeoutVariable) != nil {
                timeouts[service] = .milliseconds(try env.int(timeoutVariable, default: 10_000, range: 1...3_600_000))
            }
        }
        staticUpstreams = upstreams
        upstreamTimeouts = timeouts
        publicRoutes = try RoutePattern.list(env.string("GATEWAY_PUBLIC_ROUTES", default: Self.defaultPublicRoutes))
        authRateRoutes = try RoutePattern.list(env.string("GATEWAY_AUTH_RATE_ROUTES", default: "/auth/**,/oauth2/**"))
        authRateBurst = try env.int("GATEWAY_AUTH_RATE_BURST", default: 20, range: 1...1_000_000)
        authRatePerMinute = try env.int("GATEWAY_AUTH_RATE_PER_MINUTE", default: 300, range: 1...100_000_000)
        rateBurst = try env.int("GATEWAY_RATE_BURST", default: 200, range: 1...1_000_000)
        ratePerMinute = try env.int("GATEWAY_RATE_PER_MINUTE", default: 6000, range: 1...100_000_000)
        upstreamTimeout = .milliseconds(try env.int("GATEWAY_UPSTREAM_TIMEOUT_MS", default: 10_000, range: 1...3_600_000))
        breakerFailures = try env.int("GATEWAY_BREAKER_FAILURES", default: 5, range: 1...10_000)
        breakerOpen = .milliseconds(try env.int("GATEWAY_BREAKER_OPEN_MS", default: 10_000, range: 1...3_600_000))
        connectTimeout = .milliseconds(try env.int("GATEWAY_CONNECT_TIMEOUT_MS", default: 1000, range: 1...600_000))
        upstreamConnections = try env.int("GATEWAY_UPSTREAM_CONNECTIONS", default: 128, range: 1...10_000)
        ejection = .milliseconds(try env.int("GATEWAY_EJECTION_MS", default: 10_000, range: 0...3_600_000))
        discoveryURL = config.discoveryURL
        discoveryCacheTTL = .milliseconds(try env.int("GATEWAY_DISCOVERY_CACHE_MS", default: 5000, range: 0...3_600_000))
        maxBodyBytes = try env.int("GATEWAY_MAX_BODY_BYTES", default: 32 << 20, range: 1024...(1 << 30))
        trustedProxies = try TrustedProxies(parsing: env.string("GATEWAY_TRUSTED_PROXIES", default: "none"), variable: "GATEWAY_TRUSTED_PROXIES")
    }

    /// The variables `init` reads; `UPSTREAM_<SERVICE>_URL` and `UPSTREAM_<SERVICE>_TIMEOUT_MS` are patterns.
    public static let settingNames = [
        "GATEWAY_ROUTES", "GATEWAY_PUBLIC_ROUTES", "GATEWAY_AUTH_RATE_ROUTES", "GATEWAY_AUTH_RATE_BURST",
        "GATEWAY_AUTH_RATE_PER_MINUTE", "GATEWAY_RATE_BURST", "GATEWAY_RATE_PER_MINUTE", "GATEWAY_UPSTREAM_TIMEOUT_MS",
        "GATEWAY_BREAKER_FAILURES", "GATEWAY_BREAKER_OPEN_MS", "GATEWAY_CONNECT_TIMEOUT_MS", "GATEWAY_UPSTREAM_CONNECTIONS",
        "GATEWAY_EJECTION_MS",
        "GATEWAY_DISCOVERY_CACHE_MS", "GATEWAY_MAX_BODY_BYTES", "GATEWAY_TRUSTED_PROXIES",
        "UPSTREAM_*_URL", "UPSTREAM_*_TIMEOUT_MS",
    ]

    public func timeout(for service: String) -> Duration {
        upstreamTimeouts[service] ?? upstreamTimeout
    }

    /// `order-v2` → `ORDER_V2`.
    static func variableStem(_ service: String) -> String {
        service.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    static func urls(_ text: String, variable: String) throws(GatewayConfigurationError) -> [String] {
        var urls: [String] = []
        for item in text.split(separator: ",") {
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            guard let components = URLComponents(string: trimmed), let scheme = components.scheme,
                  ["http", "https"].contains(scheme.lowercased()), components.host?.isEmpty == false else {
                throw .invalidUpstreamURL(variable: variable, value: text)
            }
            urls.append(trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed)
        }
        guard !urls.isEmpty else { throw .invalidUpstreamURL(variable: variable, value: text) }
        return urls
    }
}
