import AsyncHTTPClient
import Logging
import ServiceKit

/// The registry's UP instances of each service, read through ServiceKit's `DiscoveryClient` and cached,
/// failures included, for `ttl`, so a dead registry costs one short call per service and period.
public actor RegistryInstanceCache {
    public let ttl: Duration
    private let discovery: DiscoveryClient
    private let logger: Logger
    private var cache: [String: (instances: [String], fetched: ContinuousClock.Instant)] = [:]
    private var inFlight: [String: Task<[String], Never>] = [:]

    public init(registryURL: String, ttl: Duration, client: HTTPClient, logger: Logger) {
        self.ttl = ttl
        discovery = DiscoveryClient(registryURL: registryURL,
                                    http: ServiceHTTPClient(policy: DiscoveryClient.defaultPolicy, client: client))
        self.logger = logger
    }

    /// The base URLs of the UP instances, empty when the registry is unreachable or knows none.
    public func instances(of service: String) async -> [String] {
        if let cached = cache[service], ContinuousClock.now - cached.fetched < ttl { return cached.instances }
        if let task = inFlight[service] { return await task.value }
        let discovery = discovery
        let logger = logger
        let task = Task { () -> [String] in
            do {
                return try await discovery.instances(of: service, onlyUp: true).map { instance in
                    instance.url.hasSuffix("/") ? String(instance.url.dropLast()) : instance.url
                }
            } catch {
                logger.warning("service registry unavailable; using static upstreams",
                               metadata: ["registry": "\(discovery.registryURL)", "service": "\(service)", "error": "\(error)"])
                return []
            }
        }
        inFlight[service] = task
        let instances = await task.value
        inFlight[service] = nil
        cache[service] = (instances, .now)
        return instances
    }
}
