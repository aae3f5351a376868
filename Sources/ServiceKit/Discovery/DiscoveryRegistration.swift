import Foundation
import Logging
import ServiceLifecycle

/// Registers the service with the registry at `DISCOVERY_URL`, heartbeats, and deregisters on shutdown.
///
/// - At start it registers, retrying with capped exponential backoff (and jitter) while the registry is
///   unreachable; the service itself never fails because of the registry.
/// - Every `heartbeatInterval` it renews the lease; when the registry answers 404 (it expired the instance
///   or lost its state) it registers again.
/// - On graceful shutdown it deregisters (best effort, one short attempt).
///
/// The advertised address is `advertisedHost` when set (`DISCOVERY_ADVERTISED_HOST`), else the configured
/// host with the wildcard `0.0.0.0`/`::` mapped to loopback, since other processes cannot dial a wildcard.
public struct DiscoveryRegistration: Service {
    public let registryURL: String
    public let serviceName: String
    public let host: String
    public let port: Int
    public let logger: Logger
    public let settings: Settings

    public struct Settings: Sendable {
        /// `DISCOVERY_HEARTBEAT_SECONDS` (default 10).
        public var heartbeatInterval: Duration = .seconds(10)
        /// `DISCOVERY_ADVERTISED_HOST`: the host other processes reach this one at.
        public var advertisedHost: String?
        /// Default `<service>-<host>-<port>`, stable across restarts so a restarted process replaces its entry.
        public var instanceId: String?
        public var metadata: [String: String] = [:]
        /// Path appended to the instance URL for `healthCheckUrl`.
        public var healthCheckPath: String = "/health/ready"
        /// First retry delay while the registry is unreachable; doubles up to the heartbeat interval.
        public var initialRetryDelay: Duration = .milliseconds(250)
        /// The port the server really bound (set by `ServiceApp`); preferred over the configured port.
        public var boundPort: BoundPort?

        public init(heartbeatInterval: Duration = .seconds(10), advertisedHost: String? = nil, boundPort: BoundPort? = nil) {
            self.heartbeatInterval = heartbeatInterval
            self.advertisedHost = advertisedHost
            self.boundPort = boundPort
        }
    }

    public init(registryURL: String, serviceName: String, host: String, port: Int, logger: Logger) {
        self.init(registryURL: registryURL, serviceName: serviceName, host: host, port: port, logger: logger, settings: Settings())
    }

    public init(registryURL: String, serviceName: String, host: String, port: Int, logger: Logger, settings: Settings) {
        self.registryURL = registryURL
        self.serviceName = serviceName
        self.host = host
        self.port = port
        self.logger = logger
        self.settings = settings
    }

    /// The host registered for others to dial.
    public static func advertisedHost(configured host: String, override: String?) -> String {
        if let override, !override.isEmpty { return override }
        switch host {
        case "0.0.0.0", "", "*": return "127.0.0.1"
        case "::", "[::]": return "::1"
        default: return host
        }
    }

    public func run() async throws {
        let client = DiscoveryClient(registryURL: registryURL)
        let registered = RegisteredFlag()
        let settings = settings
        let serviceName = serviceName
        let logger = logger
        let configuredHost = host
        let configuredPort = port
        let identity = Identity()
        do {
            try await cancelWhenGracefulShutdown {
                // The bound port is the truth (port 0, or a test server moved to an ephemeral port).
                let port = try await settings.boundPort?.value() ?? configuredPort
                let host = Self.advertisedHost(configured: configuredHost, override: settings.advertisedHost)
                let instanceId = settings.instanceId ?? "\(serviceName)-\(host)-\(port)"
                identity.set(instanceId)
                let urlHost = host.contains(":") ? "[\(host)]" : host
                let request = InstanceRegistrationRequest(
                    instanceId: instanceId, host: host, port: port, metadata: settings.metadata,
                    healthCheckUrl: "http://\(urlHost):\(port)\(settings.healthCheckPath)", status: .up)
                let loop = RegistrationLoop(client: client, serviceName: serviceName, request: request,
                                            settings: settings, registered: registered, logger: logger)
                try await loop.run()
            }
        } catch is CancellationError {
            // Graceful shutdown (or the group cancelled us): fall through to deregistration.
        } catch {
            // The loop only ends by cancellation; anything else must still not take the service down.
            logger.error("registry registration stopped", metadata: ["error": "\(error)"])
        }
        guard registered.value, let instanceId = identity.value else { return }
        do {
            let known = try await client.deregister(serviceName, instanceId: instanceId)
            logger.info("deregistered from the registry", metadata: ["instanceId": "\(instanceId)", "known": "\(known)"])
        } catch {
            logger.warning("could not deregister from the registry; the registry expires the instance after its TTL",
                           metadata: ["instanceId": "\(instanceId)", "error": "\(error)"])
        }
    }
}
