import Logging
import ServiceLifecycle

/// Registers the service with the registry at `DISCOVERY_URL`, heartbeats, and deregisters on shutdown.
/// Built in issue 6; today it only waits for shutdown.
public struct DiscoveryRegistration: Service {
    public let registryURL: String
    public let serviceName: String
    public let host: String
    public let port: Int
    public let logger: Logger

    public init(registryURL: String, serviceName: String, host: String, port: Int, logger: Logger) {
        self.registryURL = registryURL
        self.serviceName = serviceName
        self.host = host
        self.port = port
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
    }
}
