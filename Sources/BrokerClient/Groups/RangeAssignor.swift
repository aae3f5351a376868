/// Kafka's "range" assignor (Java `RangeAssignor` without rack data; kafka-python's
/// `RangePartitionAssignor`; librdkafka's "range"). Per topic, the subscribed members in
/// `memberPrecedes` order each take a contiguous range of partitions; the first
/// `partitions % members` take one extra. Topics are independent, so with several topics the
/// first members get the extras of every topic.
public struct RangeAssignor: ConsumerPartitionAssignor {
    public let name = "range"

    public init() {}

    public func assign(members: [ConsumerGroupMember], partitionCounts: [String: Int32]) -> ConsumerGroupAssignment {
        let members = uniqueMembers(members)
        var result = ConsumerGroupAssignment(uniqueKeysWithValues: members.map { ($0.memberId, [:]) })
        var consumersPerTopic: [String: [ConsumerGroupMember]] = [:]
        for member in members {
            for topic in Set(member.topics) { consumersPerTopic[topic, default: []].append(member) }
        }
        for (topic, subscribers) in consumersPerTopic {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let ordered = subscribers.sorted(by: memberPrecedes)
            let partitionCount = Int(count)
            let perMember = partitionCount / ordered.count
            let withExtra = partitionCount % ordered.count
            for (index, member) in ordered.enumerated() {
                let start = perMember * index + min(index, withExtra)
                let length = perMember + (index < withExtra ? 1 : 0)
                guard length > 0 else { continue }
                result[member.memberId, default: [:]][topic] = (start..<start + length).map { Int32($0) }
            }
        }
        return result
    }
}
