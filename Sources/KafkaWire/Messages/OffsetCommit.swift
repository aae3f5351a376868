import NIOCore

// OffsetCommit (key 8), v0–v7. v0 is a bare group commit (no generation or member: Kafka stored
// it like a simple commit); v1 adds generation and member, and a per-partition commit timestamp
// that v2 replaced by the request-wide retention_time_ms (KIP-211 later dropped that too, v5).

/// OffsetCommit request.
public struct OffsetCommitRequest: KafkaMessage {
    public static let apiKey = ApiKey.offsetCommit

    public struct Partition: KafkaWireCodable {
        public var partitionIndex: Int32
        public var committedOffset: Int64
        /// v6+; default -1.
        public var committedLeaderEpoch: Int32
        /// v1 only: when the client committed, in ms; -1 (the default) means "now". Kafka kept
        /// it as the offset's commit time, from which v1 offsets expired.
        public var commitTimestamp: Int64
        /// Opaque client metadata; must be round-tripped by OffsetFetch.
        public var committedMetadata: String?

        public init(partitionIndex: Int32, committedOffset: Int64, committedLeaderEpoch: Int32 = -1, commitTimestamp: Int64 = -1,
                    committedMetadata: String? = nil) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.commitTimestamp = commitTimestamp
            self.committedMetadata = committedMetadata
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let index = try b.readKafkaInt32("partition_index")
            let offset = try b.readKafkaInt64("committed_offset")
            let epoch = version >= 6 ? try b.readKafkaInt32("committed_leader_epoch") : -1
            let timestamp = version == 1 ? try b.readKafkaInt64("commit_timestamp") : -1
            return Partition(partitionIndex: index, committedOffset: offset, committedLeaderEpoch: epoch, commitTimestamp: timestamp,
                             committedMetadata: try b.readKafkaNullableString("committed_metadata"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partitionIndex)
            b.writeKafkaInt64(committedOffset)
            if version >= 6 { b.writeKafkaInt32(committedLeaderEpoch) }
            if version == 1 { b.writeKafkaInt64(commitTimestamp) }
            b.writeKafkaNullableString(committedMetadata)
        }
    }

    public typealias Topic = KafkaTopicPartitions<Partition>

    public var groupId: String
    /// Kafka's `generation_id_or_member_epoch`; -1 for a simple (manual-assign) commit. v1+ (-1 in v0).
    public var generationId: Int32
    /// "" for a simple commit. v1+ ("" in v0).
    public var memberId: String
    /// v7+; default nil.
    public var groupInstanceId: String?
    /// v2–v4 only; default -1 (the broker ignores it).
    public var retentionTimeMs: Int64
    public var topics: [Topic]

    public init(groupId: String, generationId: Int32 = -1, memberId: String = "", groupInstanceId: String? = nil,
                retentionTimeMs: Int64 = -1, topics: [Topic]) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.retentionTimeMs = retentionTimeMs
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = OffsetCommitRequest(groupId: try b.readKafkaString("group_id"), topics: [])
            if version >= 1 {
                r.generationId = try b.readKafkaInt32("generation_id")
                r.memberId = try b.readKafkaString("member_id")
            }
            if version >= 7 { r.groupInstanceId = try b.readKafkaNullableString("group_instance_id") }
            if (2...4).contains(version) { r.retentionTimeMs = try b.readKafkaInt64("retention_time_ms") }
            r.topics = try b.readKafkaArray(of: Topic.self, version: version, "topics")
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaString(groupId)
        if version >= 1 {
            buffer.writeKafkaInt32(generationId)
            buffer.writeKafkaString(memberId)
        }
        if version >= 7 { buffer.writeKafkaNullableString(groupInstanceId) }
        if (2...4).contains(version) { buffer.writeKafkaInt64(retentionTimeMs) }
        buffer.writeKafkaArray(topics, version: version)
    }
}

/// OffsetCommit response.
public struct OffsetCommitResponse: KafkaMessage {
    public static let apiKey = ApiKey.offsetCommit

    public struct Partition: KafkaWireCodable {
        public var partitionIndex: Int32
        public var errorCode: Int16

        public init(partitionIndex: Int32, errorCode: Int16 = 0) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Partition(partitionIndex: try b.readKafkaInt32("partition_index"), errorCode: try b.readKafkaInt16("error_code"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partitionIndex)
            b.writeKafkaInt16(errorCode)
        }
    }

    public typealias Topic = KafkaTopicPartitions<Partition>

    /// v3+; default 0.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 3 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return OffsetCommitResponse(throttleTimeMs: throttle, topics: try b.readKafkaArray(of: Topic.self, version: version, "topics"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 3 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaArray(topics, version: version)
    }
}
