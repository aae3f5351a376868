import NIOCore

/// A response of any supported API: what the broker encodes (and a client decodes).
public enum KafkaResponse: Sendable, Equatable {
    case produce(ProduceResponse)
    case fetch(FetchResponse)
    case listOffsets(ListOffsetsResponse)
    case metadata(MetadataResponse)
    case offsetCommit(OffsetCommitResponse)
    case offsetFetch(OffsetFetchResponse)
    case findCoordinator(FindCoordinatorResponse)
    case joinGroup(JoinGroupResponse)
    case heartbeat(HeartbeatResponse)
    case leaveGroup(LeaveGroupResponse)
    case syncGroup(SyncGroupResponse)
    case describeGroups(DescribeGroupsResponse)
    case listGroups(ListGroupsResponse)
    case apiVersions(ApiVersionsResponse)
    case createTopics(CreateTopicsResponse)
    case deleteTopics(DeleteTopicsResponse)
    case initProducerId(InitProducerIdResponse)

    /// The API of this message.
    public var apiKey: ApiKey {
        switch self {
        case .produce: .produce
        case .fetch: .fetch
        case .listOffsets: .listOffsets
        case .metadata: .metadata
        case .offsetCommit: .offsetCommit
        case .offsetFetch: .offsetFetch
        case .findCoordinator: .findCoordinator
        case .joinGroup: .joinGroup
        case .heartbeat: .heartbeat
        case .leaveGroup: .leaveGroup
        case .syncGroup: .syncGroup
        case .describeGroups: .describeGroups
        case .listGroups: .listGroups
        case .apiVersions: .apiVersions
        case .createTopics: .createTopics
        case .deleteTopics: .deleteTopics
        case .initProducerId: .initProducerId
        }
    }

    /// Encodes the body (no header, no size prefix) at `version`.
    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        switch self {
        case .produce(let m): m.encode(into: &buffer, version: version)
        case .fetch(let m): m.encode(into: &buffer, version: version)
        case .listOffsets(let m): m.encode(into: &buffer, version: version)
        case .metadata(let m): m.encode(into: &buffer, version: version)
        case .offsetCommit(let m): m.encode(into: &buffer, version: version)
        case .offsetFetch(let m): m.encode(into: &buffer, version: version)
        case .findCoordinator(let m): m.encode(into: &buffer, version: version)
        case .joinGroup(let m): m.encode(into: &buffer, version: version)
        case .heartbeat(let m): m.encode(into: &buffer, version: version)
        case .leaveGroup(let m): m.encode(into: &buffer, version: version)
        case .syncGroup(let m): m.encode(into: &buffer, version: version)
        case .describeGroups(let m): m.encode(into: &buffer, version: version)
        case .listGroups(let m): m.encode(into: &buffer, version: version)
        case .apiVersions(let m): m.encode(into: &buffer, version: version)
        case .createTopics(let m): m.encode(into: &buffer, version: version)
        case .deleteTopics(let m): m.encode(into: &buffer, version: version)
        case .initProducerId(let m): m.encode(into: &buffer, version: version)
        }
    }

    /// Decodes a response body (after the response header). The client knows `apiKey` and
    /// `version` from its request. ApiVersions falls back to v0 like Kafka's clients (KIP-511).
    public static func decode(apiKey: ApiKey, version: Int16, body: ByteBuffer) throws(KafkaWireError) -> KafkaResponse {
        switch apiKey {
        case .produce: return .produce(try decodeWholeKafkaMessage(ProduceResponse.self, body: body, version: version))
        case .fetch: return .fetch(try decodeWholeKafkaMessage(FetchResponse.self, body: body, version: version))
        case .listOffsets: return .listOffsets(try decodeWholeKafkaMessage(ListOffsetsResponse.self, body: body, version: version))
        case .metadata: return .metadata(try decodeWholeKafkaMessage(MetadataResponse.self, body: body, version: version))
        case .offsetCommit: return .offsetCommit(try decodeWholeKafkaMessage(OffsetCommitResponse.self, body: body, version: version))
        case .offsetFetch: return .offsetFetch(try decodeWholeKafkaMessage(OffsetFetchResponse.self, body: body, version: version))
        case .findCoordinator: return .findCoordinator(try decodeWholeKafkaMessage(FindCoordinatorResponse.self, body: body, version: version))
        case .joinGroup: return .joinGroup(try decodeWholeKafkaMessage(JoinGroupResponse.self, body: body, version: version))
        case .heartbeat: return .heartbeat(try decodeWholeKafkaMessage(HeartbeatResponse.self, body: body, version: version))
        case .leaveGroup: return .leaveGroup(try decodeWholeKafkaMessage(LeaveGroupResponse.self, body: body, version: version))
        case .syncGroup: return .syncGroup(try decodeWholeKafkaMessage(SyncGroupResponse.self, body: body, version: version))
        case .describeGroups: return .describeGroups(try decodeWholeKafkaMessage(DescribeGroupsResponse.self, body: body, version: version))
        case .listGroups: return .listGroups(try decodeWholeKafkaMessage(ListGroupsResponse.self, body: body, version: version))
        case .apiVersions: return .apiVersions(try ApiVersionsResponse.decodeWithFallback(body: body, version: version))
        case .createTopics: return .createTopics(try decodeWholeKafkaMessage(CreateTopicsResponse.self, body: body, version: version))
        case .deleteTopics: return .deleteTopics(try decodeWholeKafkaMessage(DeleteTopicsResponse.self, body: body, version: version))
        case .initProducerId: return .initProducerId(try decodeWholeKafkaMessage(InitProducerIdResponse.self, body: body, version: version))
        }
    }
}
