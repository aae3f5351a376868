import KafkaWire
import NIOCore

/// Topic and group administration, against any Kafka-compatible cluster.
public struct BrokerAdmin: Sendable {
    public let cluster: BrokerCluster

    public init(cluster: BrokerCluster) { self.cluster = cluster }

    public struct TopicDescription: Sendable {
        public var name: String
        public var partitions: [PartitionDescription]
    }

    public struct PartitionDescription: Sendable, Equatable {
        public var index: Int32
        public var leader: Int32
        public var startOffset: Int64
        public var endOffset: Int64
    }

    public struct GroupListing: Sendable, Equatable {
        public var groupId: String
        public var protocolType: String
    }

    public struct GroupMember: Sendable {
        public var memberId: String
        public var clientId: String
        public var clientHost: String
        /// The member's assignment as the group's leader encoded it (ConsumerProtocolAssignment for consumers).
        public var assignment: [UInt8]
    }

    public struct PartitionLag: Sendable, Equatable {
        public var topic: String
        public var partition: Int32
        /// -1 when the group never committed for this partition.
        public var committedOffset: Int64
        public var metadata: String?
        public var endOffset: Int64
        /// endOffset - committedOffset, or the whole partition when nothing was committed.
        public var lag: Int64
    }

    public struct GroupDescription: Sendable {
        public var groupId: String
        public var state: String
        public var protocolType: String
        public var protocolName: String
        public var members: [GroupMember]
        public var offsets: [PartitionLag]
        public var totalLag: Int64 { offsets.reduce(0) { $0 + $1.lag } }
    }

    // MARK: Topics

    /// Creates a topic; `partitions` -1 means the broker's default.
    public func createTopic(_ name: String, partitions: Int32 = -1, replicationFactor: Int16 = -1,
                            configs: [String: String] = [:]) async throws(BrokerClientError) {
        let connection = try await cluster.anyConnection()
        let request = CreateTopicsRequest(
            topics: [.init(name: name, numPartitions: partitions, replicationFactor: replicationFactor,
                           configs: configs.sorted { $0.key < $1.key }.map { .init(name: $0.key, value: $0.value) })],
            timeoutMs: 30_000)
        guard case .createTopics(let response) = try await connection.send(.createTopics(request)) else {
            throw .unsupportedApi(.createTopics, address: connection.address)
        }
        if let result = response.topics.first, result.errorCode != 0 {
            let code = KafkaErrorCode(rawValue: result.errorCode) ?? .unknownServerError
            throw .broker(code, context: "creating topic '\(name)'" + (result.errorMessage.map { ": \($0)" } ?? ""))
        }
        try await cluster.refreshMetadata(topics: [name])
    }

    public func deleteTopic(_ name: String) async throws(BrokerClientError) {
        let connection = try await cluster.anyConnection()
        guard case .deleteTopics(let response) = try await connection.send(
            .deleteTopics(DeleteTopicsRequest(topicNames: [name], timeoutMs: 30_000))) else {
            throw .unsupportedApi(.deleteTopics, address: connection.address)
        }
        if let result = response.responses.first, result.errorCode != 0 {
            throw .broker(KafkaErrorCode(rawValue: result.errorCode) ?? .unknownServerError, context: "deleting topic '\(name)'")
        }
    }

    /// Every topic with its partition count, sorted by name.
    public func listTopics() async throws(BrokerClientError) -> [(name: String, partitions: Int)] {
        let metadata = try await cluster.refreshMetadata(topics: nil)
        return metadata.topics.values.filter { $0.error == nil }.map { ($0.name, $0.partitions.count) }.sorted { $0.name < $1.name }
    }

    public func describeTopic(_ name: String) async throws(BrokerClientError) -> TopicDescription {
        let metadata = try await cluster.refreshMetadata(topics: [name])
        guard let topic = metadata.topics[name] else { throw .broker(.unknownTopicOrPartition, context: "topic '\(name)'") }
        if let error = topic.error { throw .broker(error, context: "topic '\(name)'") }
        let starts = try await listOffsets(topic: name, partitions: topic.partitions.map(\.index), timestamp: -2)
        let ends = try await listOffsets(topic: name, partitions: topic.partitions.map(\.index), timestamp: -1)
        return TopicDescription(name: name, partitions: topic.partitions.map {
            PartitionDescription(index: $0.index, leader: $0.leader, startOffset: starts[$0.index] ?? -1, endOffset: ends[$0.index] ?? -1)
        })
    }

    // MARK: Offsets

    /// ListOffsets for partitions of one topic: -1 latest, -2 earliest, t ≥ 0 the first offset at or
    /// after t (-1 in the result when there is none). Each partition is asked of its leader.
    public func listOffsets(topic: String, partitions: [Int32], timestamp: Int64) async throws(BrokerClientError) -> [Int32: Int64] {
        // A leader that moved answers NOT_LEADER_OR_FOLLOWER, one that went away drops the connection:
        // those partitions are asked again of their leader after a metadata refresh, until `requestTimeout`.
        let deadline = ContinuousClock.now + cluster.requestTimeout
        var backoff = BrokerCluster.retryBackoff.first
        var result: [Int32: Int64] = [:]
        while true {
            var lastError: BrokerClientError?
            var byLeader: [ClusterMetadata.Node: [Int32]] = [:]
            for partition in partitions where result[partition] == nil {
                do {
                    byLeader[try await cluster.leader(topic: topic, partition: partition), default: []].append(partition)
                } catch where error.isRetriable {
                    lastError = error
                }
            }
            for (node, indexes) in byLeader {
                do {
                    let (answered, error) = try await listOffsets(topic: topic, partitions: indexes, timestamp: timestamp, at: node)
                    result.merge(answered) { _, new in new }
                    if let error { lastError = error }
                } catch where error.isRetriable {
                    lastError = error
                }
            }
            guard let error = lastError, partitions.contains(where: { result[$0] == nil }) else { return result }
            guard ContinuousClock.now < deadline else { throw error }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, BrokerCluster.retryBackoff.maximum)
            _ = try? await cluster.refreshMetadata(topics: [topic])
        }
    }

    /// One ListOffsets request to `node`: the partitions answered, and the last retriable error of those
    /// that were not (any other error is thrown).
    private func listOffsets(topic: String, partitions: [Int32], timestamp: Int64, at node: ClusterMetadata.Node)
        async throws(BrokerClientError) -> ([Int32: Int64], BrokerClientError?) {
        let connection = try await cluster.connection(to: node)
        let request = ListOffsetsRequest(topics: [.init(name: topic, partitions: partitions.map { .init(partitionIndex: $0, timestamp: timestamp) })])
        guard case .listOffsets(let response) = try await connection.send(.listOffsets(request), timeout: cluster.requestTimeout) else {
            throw .unsupportedApi(.listOffsets, address: connection.address)
        }
        var result: [Int32: Int64] = [:]
        var retriable: BrokerClientError?
        for entry in response.topics.flatMap(\.partitions) {
            guard entry.errorCode == 0 else {
                let error = BrokerClientError.broker(KafkaErrorCode(rawValue: entry.errorCode) ?? .unknownServerError,
                                                     context: "ListOffsets \(topic)-\(entry.partitionIndex) at \(connection.address)")
                guard error.isRetriable else { throw error }
                retriable = error
                continue
            }
            result[entry.partitionIndex] = entry.offset
        }
        return (result, retriable)
    }

    // MARK: Groups

    public func listGroups() async throws(BrokerClientError) -> [GroupListing] {
        let metadata = try await cluster.refreshMetadata(topics: [])
        var groups: [GroupListing] = []
        for node in metadata.nodes.values {
            let connection = try await cluster.connection(to: node)
            guard case .listGroups(let response) = try await connection.send(.listGroups(ListGroupsRequest())) else {
                throw .unsupportedApi(.listGroups, address: connection.address)
            }
            groups += response.groups.map { GroupListing(groupId: $0.groupId, protocolType: $0.protocolType) }
        }
        return groups.sorted { $0.groupId < $1.groupId }
    }

    /// State, members and, per partition the group committed for, the committed offset, end and lag.
    public func describeGroup(_ groupId: String) async throws(BrokerClientError) -> GroupDescription {
        let coordinator = try await cluster.coordinator(group: groupId)
        guard case .describeGroups(let described) = try await coordinator.send(.describeGroups(DescribeGroupsRequest(groups: [groupId]))),
              let group = described.groups.first else {
            throw .unsupportedApi(.describeGroups, address: coordinator.address)
        }
        if group.errorCode != 0 {
            throw .broker(KafkaErrorCode(rawValue: group.errorCode) ?? .unknownServerError, context: "describing group '\(groupId)'")
        }
        guard case .offsetFetch(let fetched) = try await coordinator.send(.offsetFetch(OffsetFetchRequest(groupId: groupId, topics: nil))) else {
            throw .unsupportedApi(.offsetFetch, address: coordinator.address)
        }
        var lags: [PartitionLag] = []
        for topic in fetched.topics {
            let ends = try await listOffsets(topic: topic.name, partitions: topic.partitions.map(\.partitionIndex), timestamp: -1)
            for partition in topic.partitions {
                let end = ends[partition.partitionIndex] ?? 0
                let committed = partition.committedOffset
                lags.append(PartitionLag(topic: topic.name, partition: partition.partitionIndex, committedOffset: committed,
                                         metadata: partition.metadata, endOffset: end,
                                         lag: committed < 0 ? end : max(0, end - committed)))
            }
        }
        return GroupDescription(
            groupId: groupId, state: group.groupState, protocolType: group.protocolType, protocolName: group.protocolData,
            members: group.members.map {
                GroupMember(memberId: $0.memberId, clientId: $0.clientId, clientHost: $0.clientHost,
                            assignment: Array(buffer: $0.memberAssignment))
            },
            offsets: lags.sorted { ($0.topic, $0.partition) < ($1.topic, $1.partition) })
    }

    public enum ResetTarget: Sendable, Equatable {
        case earliest, latest
        case offset(Int64)
        /// Milliseconds since the epoch: the first offset at or after it (the end when none).
        case timestamp(Int64)
    }

    /// Moves a group's committed offsets for every partition of `topic`; refused while the group has
    /// members, since they would overwrite it. Returns the new offset per partition.
    @discardableResult
    public func resetOffsets(group groupId: String, topic: String, to target: ResetTarget) async throws(BrokerClientError) -> [Int32: Int64] {
        let state = try await describeGroup(groupId)
        guard state.members.isEmpty else {
            throw .invalidRequest("group '\(groupId)' has \(state.members.count) active member(s); stop them before resetting offsets")
        }
        let description = try await describeTopic(topic)
        var offsets: [Int32: Int64] = [:]
        switch target {
        case .earliest: for p in description.partitions { offsets[p.index] = p.startOffset }
        case .latest: for p in description.partitions { offsets[p.index] = p.endOffset }
        case .offset(let offset):
            for p in description.partitions { offsets[p.index] = min(max(offset, p.startOffset), p.endOffset) }
        case .timestamp(let time):
            let found = try await listOffsets(topic: topic, partitions: description.partitions.map(\.index), timestamp: time)
            for p in description.partitions {
                if let offset = found[p.index], offset >= 0 { offsets[p.index] = offset } else { offsets[p.index] = p.endOffset }
            }
        }
        let coordinator = try await cluster.coordinator(group: groupId)
        let request = OffsetCommitRequest(groupId: groupId, generationId: -1, memberId: "", topics: [
            .init(name: topic, partitions: offsets.sorted { $0.key < $1.key }.map { .init(partitionIndex: $0.key, committedOffset: $0.value) }),
        ])
        guard case .offsetCommit(let response) = try await coordinator.send(.offsetCommit(request)) else {
            throw .unsupportedApi(.offsetCommit, address: coordinator.address)
        }
        for partition in response.topics.flatMap(\.partitions) where partition.errorCode != 0 {
            throw .broker(KafkaErrorCode(rawValue: partition.errorCode) ?? .unknownServerError,
                          context: "committing the reset offset of \(topic)-\(partition.partitionIndex) for group '\(groupId)'")
        }
        return offsets
    }
}
