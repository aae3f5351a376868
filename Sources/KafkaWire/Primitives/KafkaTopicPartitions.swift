import NIOCore

/// The `name` string then `partitions` array that most Kafka messages nest per topic (ListOffsets,
/// OffsetCommit, OffsetFetch, Produce, in requests and responses): one codec for the shape, so each
/// message declares only its partition type (`typealias Topic = KafkaTopicPartitions<Partition>`).
/// `partitionsField` names the array in decode errors as Kafka's schema does.
public struct KafkaTopicPartitions<Partition: KafkaWireCodable>: KafkaWireCodable {
    public var name: String
    public var partitions: [Partition]

    public init(name: String, partitions: [Partition]) {
        self.name = name
        self.partitions = partitions
    }

    public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        Self(name: try b.readKafkaString("name"),
             partitions: try b.readKafkaArray(of: Partition.self, version: version, partitionsField))
    }

    public func encode(into b: inout ByteBuffer, version: Int16) {
        b.writeKafkaString(name)
        b.writeKafkaArray(partitions, version: version)
    }

    /// The schema's name of the partitions array, for errors.
    static var partitionsField: String {
        (Partition.self as? any KafkaPartitionsFieldNaming.Type)?.partitionsField ?? "partitions"
    }
}

/// A partition type whose array Kafka's schema names other than "partitions" (Produce's
/// partition_data and partition_responses).
public protocol KafkaPartitionsFieldNaming {
    static var partitionsField: String { get }
}
