import NIOCore

// ListOffsets (key 2), v0–v5. Timestamp -1 = latest, -2 = earliest. v0 is the old "offsets before"
// form: each partition asks for up to max_num_offsets offsets and gets an array back (KIP-79 replaced
// it with v1's single timestamp and offset).

/// ListOffsets request.
public struct ListOffsetsRequest: KafkaMessage {
    public static let apiKey = ApiKey.listOffsets

    public struct Partition: KafkaWireCodable {
        public var partitionIndex: Int32
        /// v4+; default -1.
        public var currentLeaderEpoch: Int32
        public var timestamp: Int64
        /// v0 only: most offsets to return; default 1.
        public var maxNumOffsets: Int32

        public init(partitionIndex: Int32, currentLeaderEpoch: Int32 = -1, timestamp: Int64, maxNumOffsets: Int32 = 1) {
            self.partitionIndex = partitionIndex
            self.currentLeaderEpoch = currentLeaderEpoch
            self.timestamp = timestamp
            self.maxNumOffsets = maxNumOffsets
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let index = try b.readKafkaInt32("partition_index")
            let epoch = version >= 4 ? try b.readKafkaInt32("current_leader_epoch") : -1
            let timestamp = try b.readKafkaInt64("timestamp")
            let maxNumOffsets = version == 0 ? try b.readKafkaInt32("max_num_offsets") : 1
            return Partition(partitionIndex: index, currentLeaderEpoch: epoch, timestamp: timestamp, maxNumOffsets: maxNumOffsets)
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partitionIndex)
            if version >= 4 { b.writeKafkaInt32(currentLeaderEpoch) }
            b.writeKafkaInt64(timestamp)
            if version == 0 { b.writeKafkaInt32(maxNumOffsets) }
        }
    }

    public typealias Topic = KafkaTopicPartitions<Partition>

    public var replicaId: Int32
    /// v2+; default 0.
    public var isolationLevel: Int8
    public var topics: [Topic]

    public init(replicaId: Int32 = -1, isolationLevel: Int8 = 0, topics: [Topic]) {
        self.replicaId = replicaId
        self.isolationLevel = isolationLevel
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let replicaId = try b.readKafkaInt32("replica_id")
            let isolationLevel = version >= 2 ? try b.readKafkaInt8("isolation_level") : 0
            return ListOffsetsRequest(replicaId: replicaId, isolationLevel: isolationLevel,
                                      topics: try b.readKafkaArray(of: Topic.self, version: version, "topics"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaInt32(replicaId)
        if version >= 2 { buffer.writeKafkaInt8(isolationLevel) }
        buffer.writeKafkaArray(topics, version: version)
    }
}

/// ListOffsets response.
public struct ListOffsetsResponse: KafkaMessage {
    public static let apiKey = ApiKey.listOffsets

    public struct Partition: KafkaWireCodable {
        public var partitionIndex: Int32
        public var errorCode: Int16
        /// Default -1.
        public var timestamp: Int64
        /// Default -1.
        public var offset: Int64
        /// v4+; default -1.
        public var leaderEpoch: Int32
        /// v0 only, in place of timestamp and offset: the offsets found, newest first.
        public var oldStyleOffsets: [Int64]

        public init(partitionIndex: Int32, errorCode: Int16 = 0, timestamp: Int64 = -1, offset: Int64 = -1, leaderEpoch: Int32 = -1,
                    oldStyleOffsets: [Int64] = []) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.timestamp = timestamp
            self.offset = offset
            self.leaderEpoch = leaderEpoch
            self.oldStyleOffsets = oldStyleOffsets
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            var p = Partition(partitionIndex: try b.readKafkaInt32("partition_index"), errorCode: try b.readKafkaInt16("error_code"))
            if version == 0 {
                p.oldStyleOffsets = try b.readKafkaArray("old_style_offsets", minElementSize: 8) { (e: inout ByteBuffer) throws(KafkaWireError) in
                    try e.readKafkaInt64("old_style_offsets")
                }
                return p
            }
            p.timestamp = try b.readKafkaInt64("timestamp")
            p.offset = try b.readKafkaInt64("offset")
            if version >= 4 { p.leaderEpoch = try b.readKafkaInt32("leader_epoch") }
            return p
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partitionIndex)
            b.writeKafkaInt16(errorCode)
            if version == 0 {
                b.writeKafkaArray(oldStyleOffsets) { $0.writeKafkaInt64($1) }
                return
            }
            b.writeKafkaInt64(timestamp)
            b.writeKafkaInt64(offset)
            if version >= 4 { b.writeKafkaInt32(leaderEpoch) }
        }
    }

    public typealias Topic = KafkaTopicPartitions<Partition>

    /// v2+; default 0.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 2 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return ListOffsetsResponse(throttleTimeMs: throttle, topics: try b.readKafkaArray(of: Topic.self, version: version, "topics"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 2 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaArray(topics, version: version)
    }
}
