import Gateway
import Hummingbird
import ServiceKit
import ShopTestSupport

/// The assembled gateway application served live in-process on a free port.
final class TestGateway: Sendable {
    let server: LiveServer
    var baseURL: String { server.baseURL }
    var client: EnvelopeClient { EnvelopeClient(baseURL: baseURL) }

    static let issuer = "https://iam.gateway-tests"
    static let audience = "shop"

    init(_ environment: [String: String]) async throws {
        var env = ["PORT": "0", "HOST": "127.0.0.1", "JWT_ISSUER": Self.issuer, "JWT_AUDIENCE": Self.audience, "LOG_LEVEL": "warning",
                   // Nothing listens here: a route without its own upstream in a test fails fast.
                   "JWKS_URL": "http://127.0.0.1:9/.well-known/jwks.json",
                   // The upstreams run in this test process, which the rest of the suite keeps busy: a stall of a
                   // few seconds must not read as an upstream timeout. Tests of timeouts set their own.
                   "GATEWAY_UPSTREAM_TIMEOUT_MS": "60000"]
        for (key, value) in environment { env[key] = value }
        let config = try ServiceConfig(serviceName: "gateway", defaultPort: 0, environment: env)
        let app = try await GatewayServer.makeApp(config: config, environment: env)
        server = try await LiveServer("gateway") { onServerRunning in app.application(onServerRunning: onServerRunning) }
    }

    func stop() async { await server.stop() }
}
