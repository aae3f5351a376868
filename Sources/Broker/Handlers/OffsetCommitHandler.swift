import Foundation
import KafkaWire

extension BrokerRequestHandler {
    /// Kafka's commit rules (generation, member, group state), then a durable write of every partition.
    /// v0 names no generation or member: Kafka wrote those commits to ZooKeeper without asking the group,
    /// so they are stored unchecked. v1 carries each partition's commit time, kept as the commit timestamp.
    func offsetCommit(_ request: OffsetCommitRequest, _ context: RequestContext) async -> OffsetCommitResponse {
        let check = context.version == 0
            ? GroupCoordinator.Code.none
            : await groups.validateCommit(groupId: request.groupId, generation: request.generationId, memberId: request.memberId)
        func all(_ code: Int16) -> OffsetCommitResponse {
            OffsetCommitResponse(topics: request.topics.map { topic in
                .init(name: topic.name, partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: code) })
            })
        }
        guard check == .none else { return all(check.rawValue) }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var entries: [(topic: String, partition: Int32, committed: OffsetStore.Committed)] = []
        var responses: [OffsetCommitResponse.Topic] = []
        for topic in request.topics {
            var partitions: [OffsetCommitResponse.Partition] = []
            for partition in topic.partitions {
                guard topics.partition(topic.name, partition.partitionIndex) != nil else {
                    partitions.append(.init(partitionIndex: partition.partitionIndex,
                                            errorCode: KafkaErrorCode.unknownTopicOrPartition.rawValue))
                    continue
                }
                entries.append((topic.name, partition.partitionIndex,
                                .init(offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch,
                                      metadata: partition.committedMetadata,
                                      commitTimestamp: partition.commitTimestamp >= 0 ? partition.commitTimestamp : now)))
                partitions.append(.init(partitionIndex: partition.partitionIndex))
            }
            responses.append(.init(name: topic.name, partitions: partitions))
        }
        do {
            try await offsets.commit(group: request.groupId, entries)
            await groups.noteGroup(request.groupId)
        } catch {
            logger.error("storing committed offsets failed", metadata: ["group": "\(request.groupId)", "error": "\(error)"])
            return all(KafkaErrorCode.kafkaStorageError.rawValue)
        }
        return OffsetCommitResponse(topics: responses)
    }
}
