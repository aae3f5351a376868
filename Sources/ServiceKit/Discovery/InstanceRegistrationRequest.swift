/// The body of `POST /services/{name}/instances`. Without `instanceId` the registry generates one;
/// registering an existing id again replaces that instance. `status` defaults to `UP`.
public struct InstanceRegistrationRequest: Codable, Sendable, Equatable {
    public var instanceId: String?
    public var host: String
    public var port: Int
    public var metadata: [String: String]?
    public var healthCheckUrl: String?
    public var status: String?

    public init(instanceId: String? = nil, host: String, port: Int, metadata: [String: String]? = nil,
                healthCheckUrl: String? = nil, status: InstanceStatus? = nil) {
        self.instanceId = instanceId
        self.host = host
        self.port = port
        self.metadata = metadata
        self.healthCheckUrl = healthCheckUrl
        self.status = status?.rawValue
    }
}

/// The optional body of `PUT /services/{name}/instances/{instanceId}/heartbeat`.
public struct HeartbeatRequest: Codable, Sendable, Equatable {
    public var status: String?

    public init(status: InstanceStatus? = nil) {
        self.status = status?.rawValue
    }
}
