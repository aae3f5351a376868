/// The Kafka APIs this module encodes and decodes (Kafka's `ApiKeys` numbering).
public enum ApiKey: Int16, Sendable, CaseIterable, Hashable {
    case produce = 0
    case fetch = 1
    case listOffsets = 2
    case metadata = 3
    case offsetCommit = 8
    case offsetFetch = 9
    case findCoordinator = 10
    case joinGroup = 11
    case heartbeat = 12
    case leaveGroup = 13
    case syncGroup = 14
    case describeGroups = 15
    case listGroups = 16
    case apiVersions = 18
    case createTopics = 19
    case deleteTopics = 20
    case initProducerId = 22

    /// Versions this module decodes and encodes, and the broker serves and advertises: down to v0
    /// for every API, as Kafka 3.9 accepted them (KIP-896 removed the old ones only in 4.0), up to
    /// the last non-flexible version. Produce v0–v2 and Fetch v0–v3 carry message formats v0/v1,
    /// which the broker converts to and from record batches v2.
    public var supportedVersions: ClosedRange<Int16> {
        switch self {
        case .produce: 0...8
        case .fetch: 0...11
        case .listOffsets: 0...5
        case .metadata: 0...8
        case .offsetCommit: 0...7
        case .offsetFetch: 0...5
        case .findCoordinator: 0...2
        case .joinGroup: 0...5
        case .heartbeat: 0...3
        case .leaveGroup: 0...3
        case .syncGroup: 0...3
        case .describeGroups: 0...4
        case .listGroups: 0...2
        case .apiVersions: 0...3
        case .createTopics: 0...4
        case .deleteTopics: 0...3
        case .initProducerId: 0...1
        }
    }

    /// Versions the broker advertises in ApiVersions: exactly those it serves.
    public var advertisedVersions: ClosedRange<Int16>? { supportedVersions }

    /// The first flexible (KIP-482) version in Kafka's schema. Used to pick header versions
    /// even for versions we do not support, so a request header can always be parsed.
    public var firstFlexibleVersion: Int16 {
        switch self {
        case .produce: 9
        case .fetch: 12
        case .listOffsets: 6
        case .metadata: 9
        case .offsetCommit: 8
        case .offsetFetch: 6
        case .findCoordinator: 3
        case .joinGroup: 6
        case .heartbeat: 4
        case .leaveGroup: 4
        case .syncGroup: 4
        case .describeGroups: 5
        case .listGroups: 3
        case .apiVersions: 3
        case .createTopics: 5
        case .deleteTopics: 4
        case .initProducerId: 2
        }
    }

    /// Whether `version` uses compact types and tagged fields.
    public func isFlexible(_ version: Int16) -> Bool {
        version >= firstFlexibleVersion
    }

    /// Request header version: 2 for flexible versions, 1 otherwise.
    public func requestHeaderVersion(for version: Int16) -> Int16 {
        isFlexible(version) ? 2 : 1
    }

    /// Response header version: 1 for flexible versions, 0 otherwise, and always 0 for
    /// ApiVersions so that a client can read it before knowing what the broker supports.
    public func responseHeaderVersion(for version: Int16) -> Int16 {
        if self == .apiVersions { return 0 }
        return isFlexible(version) ? 1 : 0
    }

    /// The advertised table in key order, as the broker lists it in ApiVersions responses.
    public static let advertised: [ApiVersionsResponse.ApiVersion] = allCases.compactMap { key in
        key.advertisedVersions.map {
            ApiVersionsResponse.ApiVersion(apiKey: key.rawValue, minVersion: $0.lowerBound, maxVersion: $0.upperBound)
        }
    }
}
