import NIOCore

// Fetch (key 1), v0–v11. Records are raw bytes; the broker must send an empty buffer,
// never null, for a partition without data (kafka-python crashes on null). v0–v1 answers carry
// message sets of magic 0, v2–v3 of magic 1, v4+ record batches (the broker down-converts).
// max_bytes is v3+, isolation_level v4+; the response has throttle_time_ms from v1 and
// last_stable_offset and aborted_transactions from v4.

/// Fetch request.
public struct FetchRequest: KafkaMessage {
    public static let apiKey = ApiKey.fetch

    public struct Partition: KafkaWireCodable {
        public var partition: Int32
        /// v9+; default -1.
        public var currentLeaderEpoch: Int32
        public var fetchOffset: Int64
        /// v5+ (followers only); default -1.
        public var logStartOffset: Int64
        public var partitionMaxBytes: Int32

        public init(partition: Int32, currentLeaderEpoch: Int32 = -1, fetchOffset: Int64, logStartOffset: Int64 = -1, partitionMaxBytes: Int32) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.fetchOffset = fetchOffset
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let partition = try b.readKafkaInt32("partition")
            let currentLeaderEpoch = version >= 9 ? try b.readKafkaInt32("current_leader_epoch") : -1
            let fetchOffset = try b.readKafkaInt64("fetch_offset")
            let logStartOffset = version >= 5 ? try b.readKafkaInt64("log_start_offset") : -1
            return Partition(partition: partition, currentLeaderEpoch: currentLeaderEpoch, fetchOffset: fetchOffset,
                             logStartOffset: logStartOffset, partitionMaxBytes: try b.readKafkaInt32("partition_max_bytes"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partition)
            if version >= 9 { b.writeKafkaInt32(currentLeaderEpoch) }
            b.writeKafkaInt64(fetchOffset)
            if version >= 5 { b.writeKafkaInt64(logStartOffset) }
            b.writeKafkaInt32(partitionMaxBytes)
        }
    }

    public struct Topic: KafkaWireCodable {
        public var topic: String
        public var partitions: [Partition]

        public init(topic: String, partitions: [Partition]) {
            self.topic = topic
            self.partitions = partitions
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Topic(topic: try b.readKafkaString("topic"), partitions: try b.readKafkaArray(of: Partition.self, version: version, "partitions"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(topic)
            b.writeKafkaArray(partitions, version: version)
        }
    }

    /// v7+ incremental-fetch removals (the broker ignores them: it never creates sessions).
    public struct ForgottenTopic: KafkaWireCodable {
        public var topic: String
        public var partitions: [Int32]

        public init(topic: String, partitions: [Int32]) {
            self.topic = topic
            self.partitions = partitions
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            ForgottenTopic(topic: try b.readKafkaString("topic"), partitions: try b.readKafkaInt32Array("partitions"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(topic)
            b.writeKafkaInt32Array(partitions)
        }
    }

    /// -1 for consumers.
    public var replicaId: Int32
    public var maxWaitMs: Int32
    public var minBytes: Int32
    /// v3+; Kafka default 0x7fffffff.
    public var maxBytes: Int32
    /// v4+: 0 read_uncommitted, 1 read_committed.
    public var isolationLevel: Int8
    /// v7+; default 0.
    public var sessionId: Int32
    /// v7+; default -1.
    public var sessionEpoch: Int32
    public var topics: [Topic]
    /// v7+; default [].
    public var forgottenTopicsData: [ForgottenTopic]
    /// v11+; default "".
    public var rackId: String

    public init(replicaId: Int32 = -1, maxWaitMs: Int32, minBytes: Int32, maxBytes: Int32 = Int32.max, isolationLevel: Int8 = 0,
                sessionId: Int32 = 0, sessionEpoch: Int32 = -1, topics: [Topic], forgottenTopicsData: [ForgottenTopic] = [], rackId: String = "") {
        self.replicaId = replicaId
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel
        self.sessionId = sessionId
        self.sessionEpoch = sessionEpoch
        self.topics = topics
        self.forgottenTopicsData = forgottenTopicsData
        self.rackId = rackId
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = FetchRequest(
                replicaId: try b.readKafkaInt32("replica_id"),
                maxWaitMs: try b.readKafkaInt32("max_wait_ms"),
                minBytes: try b.readKafkaInt32("min_bytes"),
                topics: [])
            if version >= 3 { r.maxBytes = try b.readKafkaInt32("max_bytes") }
            if version >= 4 { r.isolationLevel = try b.readKafkaInt8("isolation_level") }
            if version >= 7 {
                r.sessionId = try b.readKafkaInt32("session_id")
                r.sessionEpoch = try b.readKafkaInt32("session_epoch")
            }
            r.topics = try b.readKafkaArray(of: Topic.self, version: version, "topics")
            if version >= 7 {
                r.forgottenTopicsData = try b.readKafkaArray(of: ForgottenTopic.self, version: version, "forgotten_topics_data")
            }
            if version >= 11 { r.rackId = try b.readKafkaString("rack_id") }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaInt32(replicaId)
        buffer.writeKafkaInt32(maxWaitMs)
        buffer.writeKafkaInt32(minBytes)
        if version >= 3 { buffer.writeKafkaInt32(maxBytes) }
        if version >= 4 { buffer.writeKafkaInt8(isolationLevel) }
        if version >= 7 {
            buffer.writeKafkaInt32(sessionId)
            buffer.writeKafkaInt32(sessionEpoch)
        }
        buffer.writeKafkaArray(topics, version: version)
        if version >= 7 { buffer.writeKafkaArray(forgottenTopicsData, version: version) }
        if version >= 11 { buffer.writeKafkaString(rackId) }
    }
}

/// Fetch response.
public struct FetchResponse: KafkaMessage {
    public static let apiKey = ApiKey.fetch

    public struct AbortedTransaction: KafkaWireCodable {
        public var producerId: Int64
        public var firstOffset: Int64

        public init(producerId: Int64, firstOffset: Int64) {
            self.producerId = producerId
            self.firstOffset = firstOffset
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            AbortedTransaction(producerId: try b.readKafkaInt64("producer_id"), firstOffset: try b.readKafkaInt64("first_offset"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt64(producerId)
            b.writeKafkaInt64(firstOffset)
        }
    }

    public struct Partition: KafkaWireCodable {
        public var partitionIndex: Int32
        public var errorCode: Int16
        public var highWatermark: Int64
        /// v4+; default -1.
        public var lastStableOffset: Int64
        /// v5+; default -1.
        public var logStartOffset: Int64
        /// v4+, nullable; nil or [] when there are no transactions.
        public var abortedTransactions: [AbortedTransaction]?
        /// v11+; default -1.
        public var preferredReadReplica: Int32
        /// Raw record batches. Send an empty buffer, not nil, when there is no data.
        public var records: ByteBuffer?

        public init(partitionIndex: Int32, errorCode: Int16 = 0, highWatermark: Int64, lastStableOffset: Int64 = -1,
                    logStartOffset: Int64 = -1, abortedTransactions: [AbortedTransaction]? = nil,
                    preferredReadReplica: Int32 = -1, records: ByteBuffer? = ByteBuffer()) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset
            self.logStartOffset = logStartOffset
            self.abortedTransactions = abortedTransactions
            self.preferredReadReplica = preferredReadReplica
            self.records = records
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            var p = Partition(
                partitionIndex: try b.readKafkaInt32("partition_index"),
                errorCode: try b.readKafkaInt16("error_code"),
                highWatermark: try b.readKafkaInt64("high_watermark"))
            if version >= 4 { p.lastStableOffset = try b.readKafkaInt64("last_stable_offset") }
            if version >= 5 { p.logStartOffset = try b.readKafkaInt64("log_start_offset") }
            if version >= 4 {
                p.abortedTransactions = try b.readKafkaNullableArray(of: AbortedTransaction.self, version: version, "aborted_transactions")
            }
            if version >= 11 { p.preferredReadReplica = try b.readKafkaInt32("preferred_read_replica") }
            p.records = try b.readKafkaNullableBytes("records")
            return p
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partitionIndex)
            b.writeKafkaInt16(errorCode)
            b.writeKafkaInt64(highWatermark)
            if version >= 4 { b.writeKafkaInt64(lastStableOffset) }
            if version >= 5 { b.writeKafkaInt64(logStartOffset) }
            if version >= 4 { b.writeKafkaNullableArray(abortedTransactions, version: version) }
            if version >= 11 { b.writeKafkaInt32(preferredReadReplica) }
            b.writeKafkaNullableBytes(records)
        }
    }

    public struct Topic: KafkaWireCodable {
        public var topic: String
        public var partitions: [Partition]

        public init(topic: String, partitions: [Partition]) {
            self.topic = topic
            self.partitions = partitions
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Topic(topic: try b.readKafkaString("topic"), partitions: try b.readKafkaArray(of: Partition.self, version: version, "partitions"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(topic)
            b.writeKafkaArray(partitions, version: version)
        }
    }

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    /// v7+ top-level error; default 0.
    public var errorCode: Int16
    /// v7+; default 0 (the broker never creates fetch sessions).
    public var sessionId: Int32
    /// Every requested partition must appear here, even without data.
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, sessionId: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.sessionId = sessionId
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = FetchResponse(throttleTimeMs: version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0, topics: [])
            if version >= 7 {
                r.errorCode = try b.readKafkaInt16("error_code")
                r.sessionId = try b.readKafkaInt32("session_id")
            }
            r.topics = try b.readKafkaArray(of: Topic.self, version: version, "responses")
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        if version >= 7 {
            buffer.writeKafkaInt16(errorCode)
            buffer.writeKafkaInt32(sessionId)
        }
        buffer.writeKafkaArray(topics, version: version)
    }
}
