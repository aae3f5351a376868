import NIOCore

/// A decoded request of any supported API: what the broker dispatches on.
public enum KafkaRequest: Sendable, Equatable {
    case produce(ProduceRequest)
    case fetch(FetchRequest)
    case listOffsets(ListOffsetsRequest)
    case metadata(MetadataRequest)
    case offsetCommit(OffsetCommitRequest)
    case offsetFetch(OffsetFetchRequest)
    case findCoordinator(FindCoordinatorRequest)
    case joinGroup(JoinGroupRequest)
    case heartbeat(HeartbeatRequest)
    case leaveGroup(LeaveGroupRequest)
    case syncGroup(SyncGroupRequest)
    case describeGroups(DescribeGroupsRequest)
    case listGroups(ListGroupsRequest)
    case apiVersions(ApiVersionsRequest)
    case createTopics(CreateTopicsRequest)
    case deleteTopics(DeleteTopicsRequest)
    case initProducerId(InitProducerIdRequest)

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

    /// Whether the broker must answer: a Produce with acks=0 gets no response at all.
    public var expectsResponse: Bool {
        if case .produce(let request) = self { return request.acks != 0 }
        return true
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

    /// Decodes the body that follows `header`. Throws `.unknownApiKey`, `.unsupportedVersion`
    /// (including Produce v0–v2, which are advertised but answered by closing the connection;
    /// for ApiVersions the broker answers `ApiVersionsResponse.unsupportedVersionFallback()`),
    /// any malformed-body error, or `.trailingBytes` if the body is longer than the message.
    public static func decode(header: RequestHeader, body: ByteBuffer) throws(KafkaWireError) -> KafkaRequest {
        guard let apiKey = header.apiKey else {
            throw KafkaWireError(.unknownApiKey(header.rawApiKey), apiKey: header.rawApiKey, apiVersion: header.apiVersion)
        }
        switch apiKey {
        case .produce: return .produce(try decodeWholeKafkaMessage(ProduceRequest.self, body: body, version: header.apiVersion))
        case .fetch: return .fetch(try decodeWholeKafkaMessage(FetchRequest.self, body: body, version: header.apiVersion))
        case .listOffsets: return .listOffsets(try decodeWholeKafkaMessage(ListOffsetsRequest.self, body: body, version: header.apiVersion))
        case .metadata: return .metadata(try decodeWholeKafkaMessage(MetadataRequest.self, body: body, version: header.apiVersion))
        case .offsetCommit: return .offsetCommit(try decodeWholeKafkaMessage(OffsetCommitRequest.self, body: body, version: header.apiVersion))
        case .offsetFetch: return .offsetFetch(try decodeWholeKafkaMessage(OffsetFetchRequest.self, body: body, version: header.apiVersion))
        case .findCoordinator: return .findCoordinator(try decodeWholeKafkaMessage(FindCoordinatorRequest.self, body: body, version: header.apiVersion))
        case .joinGroup: return .joinGroup(try decodeWholeKafkaMessage(JoinGroupRequest.self, body: body, version: header.apiVersion))
        case .heartbeat: return .heartbeat(try decodeWholeKafkaMessage(HeartbeatRequest.self, body: body, version: header.apiVersion))
        case .leaveGroup: return .leaveGroup(try decodeWholeKafkaMessage(LeaveGroupRequest.self, body: body, version: header.apiVersion))
        case .syncGroup: return .syncGroup(try decodeWholeKafkaMessage(SyncGroupRequest.self, body: body, version: header.apiVersion))
        case .describeGroups: return .describeGroups(try decodeWholeKafkaMessage(DescribeGroupsRequest.self, body: body, version: header.apiVersion))
        case .listGroups: return .listGroups(try decodeWholeKafkaMessage(ListGroupsRequest.self, body: body, version: header.apiVersion))
        case .apiVersions: return .apiVersions(try decodeWholeKafkaMessage(ApiVersionsRequest.self, body: body, version: header.apiVersion))
        case .createTopics: return .createTopics(try decodeWholeKafkaMessage(CreateTopicsRequest.self, body: body, version: header.apiVersion))
        case .deleteTopics: return .deleteTopics(try decodeWholeKafkaMessage(DeleteTopicsRequest.self, body: body, version: header.apiVersion))
        case .initProducerId: return .initProducerId(try decodeWholeKafkaMessage(InitProducerIdRequest.self, body: body, version: header.apiVersion))
        }
    }
}
