import ServiceKit

/// Port 8888. Built in issue 6.
public enum ConfigServerApp {
    public static func run(config: ServiceConfig, environment: [String: String]) async throws {
        throw ConfigError.missing(name: "ConfigServer", why: "not built yet")
    }
}
