import NIOCore

// OffsetFetch (key 9), v0–v5. v0 has v1's layout; Kafka served it from ZooKeeper, where v0
// commits went, and this broker has one store for both, so v0 and v1 read the same offsets.

/// OffsetFetch request.
public struct OffsetFetchRequest: KafkaMessage {
    public static let apiKey = ApiKey.offsetFetch

    public struct Topic: KafkaWireCodable {
        public var name: String
        public var partitionIndexes: [Int32]

        public init(name: String, partitionIndexes: [Int32]) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Topic(name: try b.readKafkaString("name"), partitionIndexes: try b.readKafkaInt32Array("partition_indexes"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(name)
            b.writeKafkaInt32Array(partitionIndexes)
        }
    }

    public var groupId: String
    /// nil = every partition with a committed offset (v2+). v0–v1 cannot send null, so nil is
    /// encoded there as an empty array, and a null from the wire at v0–v1 is rejected.
    public var topics: [Topic]?

    public init(groupId: String, topics: [Topic]?) {
        self.groupId = groupId
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let groupId = try b.readKafkaString("group_id")
            let topics = version >= 2
                ? try b.readKafkaNullableArray(of: Topic.self, version: version, "topics")
                : try b.readKafkaArray(of: Topic.self, version: version, "topics")
            return OffsetFetchRequest(groupId: groupId, topics: topics)
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaString(groupId)
        if version >= 2 {
            buffer.writeKafkaNullableArray(topics, version: version)
        } else {
            buffer.writeKafkaArray(topics ?? [], version: version)
        }
    }
}

/// OffsetFetch response.
public struct OffsetFetchResponse: KafkaMessage {
    public static let apiKey = ApiKey.offsetFetch

    public struct Partition: KafkaWireCodable {
        public var partitionIndex: Int32
        /// -1 when nothing is committed.
        public var committedOffset: Int64
        /// v5+; default -1.
        public var committedLeaderEpoch: Int32
        public var metadata: String?
        public var errorCode: Int16

        public init(partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1, metadata: String?, errorCode: Int16 = 0) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let index = try b.readKafkaInt32("partition_index")
            let offset = try b.readKafkaInt64("committed_offset")
            let epoch = version >= 5 ? try b.readKafkaInt32("committed_leader_epoch") : -1
            return Partition(partitionIndex: index, committedOffset: offset, committedLeaderEpoch: epoch,
                             metadata: try b.readKafkaNullableString("metadata"), errorCode: try b.readKafkaInt16("error_code"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partitionIndex)
            b.writeKafkaInt64(committedOffset)
            if version >= 5 { b.writeKafkaInt32(committedLeaderEpoch) }
            b.writeKafkaNullableString(metadata)
            b.writeKafkaInt16(errorCode)
        }
    }

    public typealias Topic = KafkaTopicPartitions<Partition>

    /// v3+; default 0.
    public var throttleTimeMs: Int32
    public var topics: [Topic]
    /// v2+ top-level error; default 0.
    public var errorCode: Int16

    public init(throttleTimeMs: Int32 = 0, topics: [Topic], errorCode: Int16 = 0) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
        self.errorCode = errorCode
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 3 ? try b.readKafkaInt32("throttle_time_ms") : 0
            var r = OffsetFetchResponse(throttleTimeMs: throttle, topics: try b.readKafkaArray(of: Topic.self, version: version, "topics"))
            if version >= 2 { r.errorCode = try b.readKafkaInt16("error_code") }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 3 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaArray(topics, version: version)
        if version >= 2 { buffer.writeKafkaInt16(errorCode) }
    }
}
