import NIOCore

// CreateTopics (key 19), v0–v4 (v0 has no validate_only, v0–v1 answer without throttle_time_ms,
// v0 without error_message). -1 partitions / replication factor mean "broker default" (v4, KIP-464).

/// CreateTopics request.
public struct CreateTopicsRequest: KafkaMessage {
    public static let apiKey = ApiKey.createTopics

    /// A manual replica assignment for one partition.
    public struct Assignment: KafkaWireCodable {
        public var partitionIndex: Int32
        public var brokerIds: [Int32]

        public init(partitionIndex: Int32, brokerIds: [Int32]) {
            self.partitionIndex = partitionIndex
            self.brokerIds = brokerIds
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Assignment(partitionIndex: try b.readKafkaInt32("partition_index"), brokerIds: try b.readKafkaInt32Array("broker_ids"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(partitionIndex)
            b.writeKafkaInt32Array(brokerIds)
        }
    }

    public struct Config: KafkaWireCodable {
        public var name: String
        public var value: String?

        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Config(name: try b.readKafkaString("name"), value: try b.readKafkaNullableString("value"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(name)
            b.writeKafkaNullableString(value)
        }
    }

    public struct Topic: KafkaWireCodable {
        public var name: String
        public var numPartitions: Int32
        public var replicationFactor: Int16
        public var assignments: [Assignment]
        public var configs: [Config]

        public init(name: String, numPartitions: Int32, replicationFactor: Int16, assignments: [Assignment] = [], configs: [Config] = []) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.assignments = assignments
            self.configs = configs
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Topic(name: try b.readKafkaString("name"),
                  numPartitions: try b.readKafkaInt32("num_partitions"),
                  replicationFactor: try b.readKafkaInt16("replication_factor"),
                  assignments: try b.readKafkaArray(of: Assignment.self, version: version, "assignments"),
                  configs: try b.readKafkaArray(of: Config.self, version: version, "configs"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(name)
            b.writeKafkaInt32(numPartitions)
            b.writeKafkaInt16(replicationFactor)
            b.writeKafkaArray(assignments, version: version)
            b.writeKafkaArray(configs, version: version)
        }
    }

    public var topics: [Topic]
    public var timeoutMs: Int32
    /// v1+; default false.
    public var validateOnly: Bool

    public init(topics: [Topic], timeoutMs: Int32, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            CreateTopicsRequest(topics: try b.readKafkaArray(of: Topic.self, version: version, "topics"),
                                timeoutMs: try b.readKafkaInt32("timeout_ms"),
                                validateOnly: version >= 1 ? try b.readKafkaBool("validate_only") : false)
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaArray(topics, version: version)
        buffer.writeKafkaInt32(timeoutMs)
        if version >= 1 { buffer.writeKafkaBool(validateOnly) }
    }
}

/// CreateTopics response.
public struct CreateTopicsResponse: KafkaMessage {
    public static let apiKey = ApiKey.createTopics

    public struct Topic: KafkaWireCodable {
        public var name: String
        public var errorCode: Int16
        /// v1+; default nil.
        public var errorMessage: String?

        public init(name: String, errorCode: Int16 = 0, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Topic(name: try b.readKafkaString("name"), errorCode: try b.readKafkaInt16("error_code"),
                  errorMessage: version >= 1 ? try b.readKafkaNullableString("error_message") : nil)
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(name)
            b.writeKafkaInt16(errorCode)
            if version >= 1 { b.writeKafkaNullableString(errorMessage) }
        }
    }

    /// v2+; default 0.
    public var throttleTimeMs: Int32
    public var topics: [Topic]

    public init(throttleTimeMs: Int32 = 0, topics: [Topic]) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            CreateTopicsResponse(throttleTimeMs: version >= 2 ? try b.readKafkaInt32("throttle_time_ms") : 0,
                                 topics: try b.readKafkaArray(of: Topic.self, version: version, "topics"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 2 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaArray(topics, version: version)
    }
}
