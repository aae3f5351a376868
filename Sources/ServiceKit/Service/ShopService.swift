/// One service of the shop, as `shop serve <name>` runs it. A new service is its module, its test target
/// and one line in `Sources/shop/Services.swift` (its port comes from `ServiceCatalogue`).
public protocol ShopService {
    /// `shop serve <name>`, the registry and log name, and the folder of its database.
    static var name: String { get }
    /// The environment variables the service reads beyond `ServiceConfig`'s shared ones; a variable with
    /// the service's prefix (`IAM_…`) that is not listed here is reported at start-up as unknown.
    static var settingNames: [String] { get }
    /// Assembles the application from the shared settings and the environment (config server values
    /// merged under it). Tests call this to run the service in process.
    static func makeApp(config: ServiceConfig, environment: [String: String]) async throws -> ServiceApp
}

extension ShopService {
    /// The seed port from `ServiceCatalogue`.
    public static var defaultPort: Int { ServiceCatalogue.port(of: name) ?? 0 }

    /// Prefix of the service's own variables: `IAM_`, `GATEWAY_`.
    public static var settingPrefix: String { name.uppercased().replacingOccurrences(of: "-", with: "_") + "_" }

    /// Runs the service until SIGTERM or SIGINT.
    public static func run(config: ServiceConfig, environment: [String: String]) async throws {
        try await makeApp(config: config, environment: environment).run()
    }
}
