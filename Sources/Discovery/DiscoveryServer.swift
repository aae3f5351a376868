import ServiceKit

/// Port 8761. Built in issue 6.
public enum DiscoveryServer {
    public static func run(config: ServiceConfig, environment: [String: String]) async throws {
        throw ConfigError.missing(name: "Discovery", why: "not built yet")
    }
}
