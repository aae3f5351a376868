/// The body of `POST /services/{name}/instances`. Without `instanceId` the registry generates one;
/// registering an existing id again replaces that instance. `status` defaults to `UP`.
public struct InstanceRegistrationRequest: Codable, Sendable, Equatable, ValidatedBody {
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

extension InstanceRegistrationRequest {
    /// Names and ids travel in paths unescaped: letters, digits and `._-:@`.
    public static let identifierPattern = "[A-Za-z0-9._:@-]+"
    public static let nameLength = 1...100
    public static let idLength = 1...200
    public static let maxMetadataEntries = 64
    public static let maxMetadataValueLength = 1024

    /// What the registry takes (it checks the same again where a registration comes from elsewhere).
    public static let rules: [FieldRule<Self>] = [
        .text("instanceId", \.instanceId, length: idLength, pattern: identifierPattern,
              patternMessage: "must be letters, digits, '.', '_', '-', ':' or '@'"),
        .text("host", \.host, length: 1...253, pattern: "[^\\s/?#@]+", patternMessage: "must be a host name or IP address"),
        .integer("port", \.port, 1...65535),
        FieldRule(field: "metadata", constraints: [
            "type": "object", "maxProperties": .integer(Int64(maxMetadataEntries)),
            "propertyNames": ["minLength": 1, "maxLength": .integer(Int64(nameLength.upperBound))],
            "additionalProperties": ["type": "string", "maxLength": .integer(Int64(maxMetadataValueLength))],
        ]) { body in
            let metadata = body.metadata ?? [:]
            let fits = metadata.count <= maxMetadataEntries && metadata.allSatisfy {
                nameLength.contains($0.key.unicodeScalars.count) && $0.value.unicodeScalars.count <= maxMetadataValueLength
            }
            return fits ? nil : "must have at most \(maxMetadataEntries) entries, keys of 1–\(nameLength.upperBound) characters and values of at most \(maxMetadataValueLength)"
        },
        .text("healthCheckUrl", \.healthCheckUrl, length: 7...2048, pattern: "https?://.*", patternMessage: "must be an http:// or https:// URL"),
        .text("status", \.status, length: 1...32, pattern: InstanceStatus.anyCasePattern,
              patternMessage: "must be one of \(InstanceStatus.allCases.map(\.rawValue).joined(separator: ", "))"),
    ]
}

/// The optional body of `PUT /services/{name}/instances/{instanceId}/heartbeat`.
public struct HeartbeatRequest: Codable, Sendable, Equatable, ValidatedBody {
    public var status: String?

    public static let rules: [FieldRule<Self>] = [
        .text("status", \.status, length: 1...32, pattern: InstanceStatus.anyCasePattern,
              patternMessage: "must be one of \(InstanceStatus.allCases.map(\.rawValue).joined(separator: ", "))"),
    ]

    public init(status: InstanceStatus? = nil) {
        self.status = status?.rawValue
    }
}
