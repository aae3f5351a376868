import KafkaWire

public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }
    public static func < (a: Self, b: Self) -> Bool { (a.topic, a.partition) < (b.topic, b.partition) }
    public var description: String { "\(topic)-\(partition)" }
}

/// Consumer settings; defaults follow the Java client where one exists.
public struct ConsumerConfig: Sendable {
    public enum AutoOffsetReset: Sendable { case earliest, latest, none }

    /// nil: no group (manual assignment and seeks only).
    public var groupId: String?
    public var autoOffsetReset: AutoOffsetReset = .latest
    public var enableAutoCommit = true
    public var autoCommitInterval: Duration = .seconds(5)
    public var sessionTimeout: Duration = .seconds(10)
    /// How long the coordinator waits for members to rejoin during a rebalance (max.poll.interval.ms).
    public var rebalanceTimeout: Duration = .seconds(30)
    public var heartbeatInterval: Duration = .seconds(3)
    /// Assignors offered, in order of preference; the group's leader runs the one the group agrees on.
    public var assignors: [any ConsumerPartitionAssignor] = [RangeAssignor(), RoundRobinAssignor()]
    public var fetchMaxWait: Duration = .milliseconds(500)
    public var fetchMaxBytes: Int32 = 50 << 20
    public var partitionMaxBytes: Int32 = 1 << 20
    public var maxUncompressedBatchBytes = 64 << 20

    public init() {}
}

/// One record as the consumer delivers it.
public struct ConsumerRecord: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestamp: Int64
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]
}
