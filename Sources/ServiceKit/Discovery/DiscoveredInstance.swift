import Foundation

/// One live instance of a service as the registry lists it (`GET /services/{name}` → `data.instances[]`).
/// The registry answers with this exact shape; the gateway and `DiscoveryClient` decode it.
public struct DiscoveredInstance: Codable, Sendable, Equatable {
    public var instanceId: String
    public var serviceName: String
    public var host: String
    public var port: Int
    /// `http://host:port`, the base URL to call.
    public var url: String
    /// `UP`, `DOWN`, `STARTING` or `OUT_OF_SERVICE` (kept as text so a newer registry's status still decodes).
    public var status: String
    public var metadata: [String: String]
    public var healthCheckUrl: String?
    public var registeredAt: Date
    public var lastHeartbeatAt: Date

    public init(instanceId: String, serviceName: String, host: String, port: Int, url: String, status: String,
                metadata: [String: String], healthCheckUrl: String?, registeredAt: Date, lastHeartbeatAt: Date) {
        self.instanceId = instanceId
        self.serviceName = serviceName
        self.host = host
        self.port = port
        self.url = url
        self.status = status
        self.metadata = metadata
        self.healthCheckUrl = healthCheckUrl
        self.registeredAt = registeredAt
        self.lastHeartbeatAt = lastHeartbeatAt
    }

    public var isUp: Bool { status == InstanceStatus.up.rawValue }
}

/// One service with its live instances (`GET /services` → `data[]`, `GET /services/{name}` → `data`).
public struct DiscoveredService: Codable, Sendable, Equatable {
    public var name: String
    public var instances: [DiscoveredInstance]

    public init(name: String, instances: [DiscoveredInstance]) {
        self.name = name
        self.instances = instances
    }
}
