import KafkaWire

extension BrokerRequestHandler {
    /// Stored offsets regardless of group state; -1 with empty metadata for partitions never committed.
    func offsetFetch(_ request: OffsetFetchRequest, _ context: RequestContext) -> OffsetFetchResponse {
        let requested: [(String, [Int32])]
        if let topics = request.topics {
            requested = topics.map { ($0.name, $0.partitionIndexes) }
        } else {
            var byTopic: [String: [Int32]] = [:]
            for entry in offsets.all(group: request.groupId) { byTopic[entry.topic, default: []].append(entry.partition) }
            requested = byTopic.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        }
        return OffsetFetchResponse(topics: requested.map { name, partitions in
            .init(name: name, partitions: partitions.map { index in
                guard let committed = offsets.committed(group: request.groupId, topic: name, partition: index) else {
                    return .init(partitionIndex: index, committedOffset: -1, metadata: "")
                }
                return .init(partitionIndex: index, committedOffset: committed.offset, committedLeaderEpoch: committed.leaderEpoch,
                             metadata: committed.metadata ?? "")
            })
        })
    }
}
