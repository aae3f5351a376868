import ServiceKit

/// Port 8080. Built in issue 6.
public enum GatewayServer {
    public static func run(config: ServiceConfig, environment: [String: String]) async throws {
        throw ConfigError.missing(name: "Gateway", why: "not built yet")
    }
}
