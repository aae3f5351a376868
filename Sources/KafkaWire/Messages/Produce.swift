import NIOCore

// Produce (key 0), v0–v8. Records are carried as raw bytes and never parsed here: v3+ carry
// one RecordBatch v2, v0–v1 a message set of magic 0 and v2 one of magic 1 (the broker converts
// those, `LegacyMessageSet`). v0–v2 have no transactional_id; the response has throttle_time_ms
// from v1 and log_append_time from v2.

/// Produce request.
public struct ProduceRequest: KafkaMessage {
    public static let apiKey = ApiKey.produce

    public struct Partition: KafkaWireCodable, KafkaPartitionsFieldNaming {
        public static let partitionsField = "partition_data"
        public var index: Int32
        /// Raw RecordBatch bytes (zero-copy slice of the request), or nil if sent as null.
        public var records: ByteBuffer?

        public init(index: Int32, records: ByteBuffer?) {
            self.index = index
            self.records = records
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Partition(index: try b.readKafkaInt32("partition_index"), records: try b.readKafkaNullableBytes("records"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(index)
            b.writeKafkaNullableBytes(records)
        }
    }

    public typealias Topic = KafkaTopicPartitions<Partition>

    /// v3+; nil for non-transactional producers.
    public var transactionalId: String?
    /// 0 (no response at all), 1, or -1 (all).
    public var acks: Int16
    public var timeoutMs: Int32
    public var topics: [Topic]

    public init(transactionalId: String? = nil, acks: Int16, timeoutMs: Int32, topics: [Topic]) {
        self.transactionalId = transactionalId
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let transactionalId = version >= 3 ? try b.readKafkaNullableString("transactional_id") : nil
            return ProduceRequest(
                transactionalId: transactionalId,
                acks: try b.readKafkaInt16("acks"),
                timeoutMs: try b.readKafkaInt32("timeout_ms"),
                topics: try b.readKafkaArray(of: Topic.self, version: version, "topic_data"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 3 { buffer.writeKafkaNullableString(transactionalId) }
        buffer.writeKafkaInt16(acks)
        buffer.writeKafkaInt32(timeoutMs)
        buffer.writeKafkaArray(topics, version: version)
    }
}

/// Produce response. Note that throttle_time_ms comes last.
public struct ProduceResponse: KafkaMessage {
    public static let apiKey = ApiKey.produce

    /// v8+ per-record error.
    public struct RecordError: KafkaWireCodable {
        public var batchIndex: Int32
        public var batchIndexErrorMessage: String?

        public init(batchIndex: Int32, batchIndexErrorMessage: String? = nil) {
            self.batchIndex = batchIndex
            self.batchIndexErrorMessage = batchIndexErrorMessage
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            RecordError(batchIndex: try b.readKafkaInt32("batch_index"),
                        batchIndexErrorMessage: try b.readKafkaNullableString("batch_index_error_message"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(batchIndex)
            b.writeKafkaNullableString(batchIndexErrorMessage)
        }
    }

    public struct Partition: KafkaWireCodable, KafkaPartitionsFieldNaming {
        public static let partitionsField = "partition_responses"
        public var index: Int32
        public var errorCode: Int16
        public var baseOffset: Int64
        /// -1 under CreateTime. v2+.
        public var logAppendTimeMs: Int64
        /// v5+; default -1.
        public var logStartOffset: Int64
        /// v8+; default [].
        public var recordErrors: [RecordError]
        /// v8+; default nil.
        public var errorMessage: String?

        public init(index: Int32, errorCode: Int16 = 0, baseOffset: Int64, logAppendTimeMs: Int64 = -1,
                    logStartOffset: Int64 = -1, recordErrors: [RecordError] = [], errorMessage: String? = nil) {
            self.index = index
            self.errorCode = errorCode
            self.baseOffset = baseOffset
            self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset
            self.recordErrors = recordErrors
            self.errorMessage = errorMessage
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            var p = Partition(
                index: try b.readKafkaInt32("partition_index"),
                errorCode: try b.readKafkaInt16("error_code"),
                baseOffset: try b.readKafkaInt64("base_offset"))
            if version >= 2 { p.logAppendTimeMs = try b.readKafkaInt64("log_append_time_ms") }
            if version >= 5 { p.logStartOffset = try b.readKafkaInt64("log_start_offset") }
            if version >= 8 {
                p.recordErrors = try b.readKafkaArray(of: RecordError.self, version: version, "record_errors")
                p.errorMessage = try b.readKafkaNullableString("error_message")
            }
            return p
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(index)
            b.writeKafkaInt16(errorCode)
            b.writeKafkaInt64(baseOffset)
            if version >= 2 { b.writeKafkaInt64(logAppendTimeMs) }
            if version >= 5 { b.writeKafkaInt64(logStartOffset) }
            if version >= 8 {
                b.writeKafkaArray(recordErrors, version: version)
                b.writeKafkaNullableString(errorMessage)
            }
        }
    }

    public typealias Topic = KafkaTopicPartitions<Partition>

    public var topics: [Topic]
    /// v1+; default 0.
    public var throttleTimeMs: Int32

    public init(topics: [Topic], throttleTimeMs: Int32 = 0) {
        self.topics = topics
        self.throttleTimeMs = throttleTimeMs
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            ProduceResponse(
                topics: try b.readKafkaArray(of: Topic.self, version: version, "responses"),
                throttleTimeMs: version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0)
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaArray(topics, version: version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
    }
}
