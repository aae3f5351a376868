/// Where a service's instances come from: the registry when `DISCOVERY_URL` is set and it knows UP
/// instances, the static configuration (`UPSTREAM_<SERVICE>_URL` or the seed port) otherwise.
public struct UpstreamResolver: Sendable {
    public let staticUpstreams: [String: [String]]
    public let registry: RegistryInstanceCache?

    public init(staticUpstreams: [String: [String]], registry: RegistryInstanceCache?) {
        self.staticUpstreams = staticUpstreams
        self.registry = registry
    }

    public func instances(of service: String) async -> [String] {
        if let registry {
            let registered = await registry.instances(of: service)
            if !registered.isEmpty { return registered }
        }
        return staticUpstreams[service] ?? []
    }
}
