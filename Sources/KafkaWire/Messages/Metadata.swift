import NIOCore

// Metadata (key 3), v0–v8.

/// Metadata request.
public struct MetadataRequest: KafkaMessage {
    public static let apiKey = ApiKey.metadata

    /// Topic names; nil means "all topics" (v1+). v0 cannot send null: an empty array means
    /// all topics there, and nil is encoded as an empty array. See `requestsAllTopics(version:)`.
    public var topics: [String]?
    /// v4+; Kafka default true (v0–v3 always allow auto-creation).
    public var allowAutoTopicCreation: Bool
    /// v8+; default false.
    public var includeClusterAuthorizedOperations: Bool
    /// v8+; default false.
    public var includeTopicAuthorizedOperations: Bool

    public init(topics: [String]?, allowAutoTopicCreation: Bool = true,
                includeClusterAuthorizedOperations: Bool = false, includeTopicAuthorizedOperations: Bool = false) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
        self.includeTopicAuthorizedOperations = includeTopicAuthorizedOperations
    }

    /// Whether the request asks for every topic: v0 uses an empty array, v1+ uses null.
    public func requestsAllTopics(version: Int16) -> Bool {
        guard let topics else { return true }
        return version == 0 && topics.isEmpty
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            // Each topic element is a struct holding just a name string.
            let read = { (b: inout ByteBuffer) throws(KafkaWireError) -> String in try b.readKafkaString("name") }
            let topics = version >= 1
                ? try b.readKafkaNullableArray("topics", minElementSize: 2, read)
                : try b.readKafkaArray("topics", minElementSize: 2, read)
            var r = MetadataRequest(topics: topics)
            if version >= 4 { r.allowAutoTopicCreation = try b.readKafkaBool("allow_auto_topic_creation") }
            if version >= 8 {
                r.includeClusterAuthorizedOperations = try b.readKafkaBool("include_cluster_authorized_operations")
                r.includeTopicAuthorizedOperations = try b.readKafkaBool("include_topic_authorized_operations")
            }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 {
            buffer.writeKafkaNullableArray(topics) { b, name in b.writeKafkaString(name) }
        } else {
            buffer.writeKafkaStringArray(topics ?? [])
        }
        if version >= 4 { buffer.writeKafkaBool(allowAutoTopicCreation) }
        if version >= 8 {
            buffer.writeKafkaBool(includeClusterAuthorizedOperations)
            buffer.writeKafkaBool(includeTopicAuthorizedOperations)
        }
    }
}

/// Metadata response.
public struct MetadataResponse: KafkaMessage {
    public static let apiKey = ApiKey.metadata

    /// Kafka's "authorized operations not requested/unknown" value.
    public static let authorizedOperationsUnknown = Int32.min

    public struct Broker: KafkaWireCodable {
        public var nodeId: Int32
        public var host: String
        public var port: Int32
        /// v1+; default nil.
        public var rack: String?

        public init(nodeId: Int32, host: String, port: Int32, rack: String? = nil) {
            self.nodeId = nodeId
            self.host = host
            self.port = port
            self.rack = rack
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            var broker = Broker(nodeId: try b.readKafkaInt32("node_id"), host: try b.readKafkaString("host"), port: try b.readKafkaInt32("port"))
            if version >= 1 { broker.rack = try b.readKafkaNullableString("rack") }
            return broker
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt32(nodeId)
            b.writeKafkaString(host)
            b.writeKafkaInt32(port)
            if version >= 1 { b.writeKafkaNullableString(rack) }
        }
    }

    public struct Partition: KafkaWireCodable {
        public var errorCode: Int16
        public var partitionIndex: Int32
        public var leaderId: Int32
        /// v7+; default -1.
        public var leaderEpoch: Int32
        public var replicaNodes: [Int32]
        public var isrNodes: [Int32]
        /// v5+; default [].
        public var offlineReplicas: [Int32]

        public init(errorCode: Int16 = 0, partitionIndex: Int32, leaderId: Int32, leaderEpoch: Int32 = -1,
                    replicaNodes: [Int32], isrNodes: [Int32], offlineReplicas: [Int32] = []) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderId = leaderId
            self.leaderEpoch = leaderEpoch
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let errorCode = try b.readKafkaInt16("error_code")
            let index = try b.readKafkaInt32("partition_index")
            let leader = try b.readKafkaInt32("leader_id")
            let epoch = version >= 7 ? try b.readKafkaInt32("leader_epoch") : -1
            var p = Partition(errorCode: errorCode, partitionIndex: index, leaderId: leader, leaderEpoch: epoch,
                              replicaNodes: try b.readKafkaInt32Array("replica_nodes"),
                              isrNodes: try b.readKafkaInt32Array("isr_nodes"))
            if version >= 5 { p.offlineReplicas = try b.readKafkaInt32Array("offline_replicas") }
            return p
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt16(errorCode)
            b.writeKafkaInt32(partitionIndex)
            b.writeKafkaInt32(leaderId)
            if version >= 7 { b.writeKafkaInt32(leaderEpoch) }
            b.writeKafkaInt32Array(replicaNodes)
            b.writeKafkaInt32Array(isrNodes)
            if version >= 5 { b.writeKafkaInt32Array(offlineReplicas) }
        }
    }

    public struct Topic: KafkaWireCodable {
        public var errorCode: Int16
        public var name: String
        /// v1+; default false.
        public var isInternal: Bool
        public var partitions: [Partition]
        /// v8+; default Int32.min.
        public var topicAuthorizedOperations: Int32

        public init(errorCode: Int16 = 0, name: String, isInternal: Bool = false, partitions: [Partition],
                    topicAuthorizedOperations: Int32 = MetadataResponse.authorizedOperationsUnknown) {
            self.errorCode = errorCode
            self.name = name
            self.isInternal = isInternal
            self.partitions = partitions
            self.topicAuthorizedOperations = topicAuthorizedOperations
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            let errorCode = try b.readKafkaInt16("error_code")
            let name = try b.readKafkaString("name")
            let isInternal = version >= 1 ? try b.readKafkaBool("is_internal") : false
            var t = Topic(errorCode: errorCode, name: name, isInternal: isInternal,
                          partitions: try b.readKafkaArray(of: Partition.self, version: version, "partitions"))
            if version >= 8 { t.topicAuthorizedOperations = try b.readKafkaInt32("topic_authorized_operations") }
            return t
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaInt16(errorCode)
            b.writeKafkaString(name)
            if version >= 1 { b.writeKafkaBool(isInternal) }
            b.writeKafkaArray(partitions, version: version)
            if version >= 8 { b.writeKafkaInt32(topicAuthorizedOperations) }
        }
    }

    /// v3+; default 0.
    public var throttleTimeMs: Int32
    public var brokers: [Broker]
    /// v2+; default nil.
    public var clusterId: String?
    /// v1+; default -1. Must be a real node id (kafka-python's admin loops on -1).
    public var controllerId: Int32
    public var topics: [Topic]
    /// v8+; default Int32.min.
    public var clusterAuthorizedOperations: Int32

    public init(throttleTimeMs: Int32 = 0, brokers: [Broker], clusterId: String? = nil, controllerId: Int32 = -1,
                topics: [Topic], clusterAuthorizedOperations: Int32 = MetadataResponse.authorizedOperationsUnknown) {
        self.throttleTimeMs = throttleTimeMs
        self.brokers = brokers
        self.clusterId = clusterId
        self.controllerId = controllerId
        self.topics = topics
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 3 ? try b.readKafkaInt32("throttle_time_ms") : 0
            var r = MetadataResponse(throttleTimeMs: throttle,
                                     brokers: try b.readKafkaArray(of: Broker.self, version: version, "brokers"), topics: [])
            if version >= 2 { r.clusterId = try b.readKafkaNullableString("cluster_id") }
            if version >= 1 { r.controllerId = try b.readKafkaInt32("controller_id") }
            r.topics = try b.readKafkaArray(of: Topic.self, version: version, "topics")
            if version >= 8 { r.clusterAuthorizedOperations = try b.readKafkaInt32("cluster_authorized_operations") }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 3 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaArray(brokers, version: version)
        if version >= 2 { buffer.writeKafkaNullableString(clusterId) }
        if version >= 1 { buffer.writeKafkaInt32(controllerId) }
        buffer.writeKafkaArray(topics, version: version)
        if version >= 8 { buffer.writeKafkaInt32(clusterAuthorizedOperations) }
    }
}
