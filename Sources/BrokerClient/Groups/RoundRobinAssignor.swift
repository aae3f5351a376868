/// Kafka's "roundrobin" assignor (Java `RoundRobinAssignor`, kafka-python's
/// `RoundRobinPartitionAssignor`). All partitions of all subscribed topics, sorted by topic then
/// partition, are dealt in turn to the members in `memberPrecedes` order; a member not
/// subscribed to a partition's topic is skipped, and the turn passes to the member after the
/// one that took it. Identical subscriptions give counts within one of each other.
///
/// librdkafka's "roundrobin" differs when subscriptions differ: its turn advances by one per
/// partition whoever took it. Both are valid assignments; only the leader's is used.
public struct RoundRobinAssignor: ConsumerPartitionAssignor {
    public let name = "roundrobin"

    public init() {}

    public func assign(members: [ConsumerGroupMember], partitionCounts: [String: Int32]) -> ConsumerGroupAssignment {
        let ordered = uniqueMembers(members).sorted(by: memberPrecedes)
        var result = ConsumerGroupAssignment(uniqueKeysWithValues: ordered.map { ($0.memberId, [:]) })
        let subscriptions = ordered.map { Set($0.topics) }
        let topics = subscriptions.reduce(into: Set<String>()) { $0.formUnion($1) }.sorted(by: javaStringPrecedes)
        var turn = 0
        for topic in topics {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            for partition in 0..<count {
                // Terminates: `topic` came from some member's subscription.
                while !subscriptions[turn].contains(topic) { turn = (turn + 1) % ordered.count }
                result[ordered[turn].memberId, default: [:]][topic, default: []].append(partition)
                turn = (turn + 1) % ordered.count
            }
        }
        return result
    }
}
