import KafkaWire
import NIOCore

// The "consumer" embedded protocol: the bytes a consumer puts in JoinGroup protocol metadata
// (ConsumerProtocolSubscription) and the leader puts in SyncGroup assignments
// (ConsumerProtocolAssignment). The broker never looks inside; every client in the group must.
// Layout per Kafka's ConsumerProtocolSubscription.json / ConsumerProtocolAssignment.json,
// versions 0-3, non-flexible, preceded by an int16 version.

/// Why consumer-protocol bytes could not be decoded.
public enum ConsumerProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A negative version: Kafka rejects these (there is no such schema).
    case unsupportedVersion(Int16)
    /// The bytes are truncated, have impossible lengths or counts, a null where none is allowed,
    /// or invalid UTF-8.
    case malformed(KafkaWireError)

    public var description: String {
        switch self {
        case .unsupportedVersion(let version): "consumer protocol version \(version) is not supported"
        case .malformed(let error): "malformed consumer protocol bytes: \(error)"
        }
    }
}

/// Runs a KafkaWire read, reporting its failure as `.malformed`.
private func malformedOnFailure<T>(_ body: () throws(KafkaWireError) -> T) throws(ConsumerProtocolError) -> T {
    do {
        return try body()
    } catch {
        throw .malformed(error)
    }
}

/// A topic with some of its partitions: one entry of OwnedPartitions or AssignedPartitions.
public struct ConsumerProtocolTopicPartitions: Sendable, Hashable {
    public var topic: String
    public var partitions: [Int32]

    public init(topic: String, partitions: [Int32]) {
        self.topic = topic
        self.partitions = partitions
    }

    static func decode(from b: inout ByteBuffer) throws(KafkaWireError) -> Self {
        Self(topic: try b.readKafkaString("topic"), partitions: try b.readKafkaInt32Array("partitions"))
    }

    func encode(into b: inout ByteBuffer) {
        b.writeKafkaString(topic)
        b.writeKafkaInt32Array(partitions)
    }
}

/// The versions this module knows, and how it treats the others (as Kafka's `ConsumerProtocol`
/// does): a newer version is read as its version-3 prefix, because the schema promises that
/// later versions only append fields; a negative version is an error.
public enum ConsumerProtocolVersion {
    public static let latest: Int16 = 3

    /// The schema version to read bytes announced as `version` with.
    static func schemaVersion(forWire version: Int16) throws(ConsumerProtocolError) -> Int16 {
        guard version >= 0 else { throw .unsupportedVersion(version) }
        return min(version, latest)
    }

    /// The version actually written for a requested one (encoders never fail).
    static func clamped(_ version: Int16) -> Int16 {
        min(max(version, 0), latest)
    }
}

/// A member's JoinGroup metadata for protocol type "consumer": what it wants to consume and,
/// for cooperative/sticky assignors, what it already owns.
public struct ConsumerProtocolSubscription: Sendable, Equatable {
    /// The JoinGroup `protocol_type` these bytes belong to.
    public static let protocolType = "consumer"

    /// Schema version. After decoding it is the version the fields were read at, so a v5
    /// message reads as 3 (its unknown tail was skipped and would not survive re-encoding).
    public var version: Int16
    public var topics: [String]
    /// Assignor-specific bytes (e.g. the sticky assignor's previous assignment); nil is null.
    public var userData: ByteBuffer?
    /// v1+; empty before.
    public var ownedPartitions: [ConsumerProtocolTopicPartitions]
    /// v2+; -1 (unknown) before.
    public var generationId: Int32
    /// v3+; nil before. Kafka treats "" like nil.
    public var rackId: String?

    public init(version: Int16 = ConsumerProtocolVersion.latest, topics: [String], userData: ByteBuffer? = nil,
                ownedPartitions: [ConsumerProtocolTopicPartitions] = [], generationId: Int32 = -1, rackId: String? = nil) {
        self.version = version
        self.topics = topics
        self.userData = userData
        self.ownedPartitions = ownedPartitions
        self.generationId = generationId
        self.rackId = rackId
    }

    /// Decodes from the reader index, leaving it after the fields read. Bytes after the known
    /// fields are left unread, as Kafka leaves them: they belong to newer versions.
    public static func decode(from buffer: inout ByteBuffer) throws(ConsumerProtocolError) -> Self {
        // Work on a copy so a failure leaves the caller's reader index where it was.
        var b = buffer
        let version = try ConsumerProtocolVersion.schemaVersion(forWire: try malformedOnFailure { () throws(KafkaWireError) in
            try b.readKafkaInt16("version")
        })
        let subscription = try malformedOnFailure { () throws(KafkaWireError) -> Self in
            var s = Self(version: version, topics: try b.readKafkaStringArray("topics"))
            s.userData = try b.readKafkaNullableBytes("user_data")
            if version >= 1 {
                s.ownedPartitions = try b.readKafkaArray("owned_partitions", minElementSize: 6) {
                    (b: inout ByteBuffer) throws(KafkaWireError) in try ConsumerProtocolTopicPartitions.decode(from: &b)
                }
            }
            if version >= 2 { s.generationId = try b.readKafkaInt32("generation_id") }
            if version >= 3 { s.rackId = try b.readKafkaNullableString("rack_id") }
            return s
        }
        buffer = b
        return subscription
    }

    /// Decodes a whole metadata blob (e.g. `JoinGroupResponse.Member.metadata`).
    public static func decode(_ bytes: ByteBuffer) throws(ConsumerProtocolError) -> Self {
        var copy = bytes
        return try decode(from: &copy)
    }

    /// Writes `version` (clamped to 0...3) and the fields that version has.
    public func encode(into b: inout ByteBuffer) {
        let version = ConsumerProtocolVersion.clamped(version)
        b.writeKafkaInt16(version)
        b.writeKafkaStringArray(topics)
        b.writeKafkaNullableBytes(userData)
        if version >= 1 { b.writeKafkaArray(ownedPartitions) { b, entry in entry.encode(into: &b) } }
        if version >= 2 { b.writeKafkaInt32(generationId) }
        if version >= 3 { b.writeKafkaNullableString(rackId) }
    }

    /// The encoded bytes, ready for `JoinGroupRequest.JoinProtocol.metadata`.
    public func encoded() -> ByteBuffer {
        var b = ByteBuffer()
        encode(into: &b)
        return b
    }
}

/// The leader's SyncGroup assignment for one member of a "consumer" group.
public struct ConsumerProtocolAssignment: Sendable, Equatable {
    /// Schema version; versions 0-3 share one layout. After decoding: the version read at.
    public var version: Int16
    public var assignedPartitions: [ConsumerProtocolTopicPartitions]
    /// Assignor-specific bytes; nil is null.
    public var userData: ByteBuffer?

    public init(version: Int16 = ConsumerProtocolVersion.latest, assignedPartitions: [ConsumerProtocolTopicPartitions], userData: ByteBuffer? = nil) {
        self.version = version
        self.assignedPartitions = assignedPartitions
        self.userData = userData
    }

    /// Builds an assignment from an assignor's per-topic result, topics in sorted order and
    /// partitions ascending (what Java and kafka-python send), empty topics left out.
    public init(version: Int16 = ConsumerProtocolVersion.latest, partitions: [String: [Int32]], userData: ByteBuffer? = nil) {
        let entries = partitions.filter { !$0.value.isEmpty }
            .sorted { javaStringPrecedes($0.key, $1.key) }
            .map { ConsumerProtocolTopicPartitions(topic: $0.key, partitions: $0.value.sorted()) }
        self.init(version: version, assignedPartitions: entries, userData: userData)
    }

    /// The assignment as topic -> partitions (a topic listed twice has its partitions merged).
    public var partitionsByTopic: [String: [Int32]] {
        assignedPartitions.reduce(into: [:]) { $0[$1.topic, default: []].append(contentsOf: $1.partitions) }
    }

    /// Decodes from the reader index; see `ConsumerProtocolSubscription.decode(from:)`.
    /// Empty bytes mean "nothing assigned": the coordinator sends them to a member the leader
    /// left out. librdkafka reads them the same way; kafka-python 3.0.12 throws on them.
    public static func decode(from buffer: inout ByteBuffer) throws(ConsumerProtocolError) -> Self {
        if buffer.readableBytes == 0 { return Self(version: 0, assignedPartitions: []) }
        var b = buffer
        let version = try ConsumerProtocolVersion.schemaVersion(forWire: try malformedOnFailure { () throws(KafkaWireError) in
            try b.readKafkaInt16("version")
        })
        let assignment = try malformedOnFailure { () throws(KafkaWireError) -> Self in
            let assigned = try b.readKafkaArray("assigned_partitions", minElementSize: 6) {
                (b: inout ByteBuffer) throws(KafkaWireError) in try ConsumerProtocolTopicPartitions.decode(from: &b)
            }
            return Self(version: version, assignedPartitions: assigned, userData: try b.readKafkaNullableBytes("user_data"))
        }
        buffer = b
        return assignment
    }

    /// Decodes a whole assignment blob (e.g. `SyncGroupResponse.assignment`).
    public static func decode(_ bytes: ByteBuffer) throws(ConsumerProtocolError) -> Self {
        var copy = bytes
        return try decode(from: &copy)
    }

    /// Writes `version` (clamped to 0...3) and the fields.
    public func encode(into b: inout ByteBuffer) {
        b.writeKafkaInt16(ConsumerProtocolVersion.clamped(version))
        b.writeKafkaArray(assignedPartitions) { b, entry in entry.encode(into: &b) }
        b.writeKafkaNullableBytes(userData)
    }

    /// The encoded bytes, ready for `SyncGroupRequest.Assignment.assignment`.
    public func encoded() -> ByteBuffer {
        var b = ByteBuffer()
        encode(into: &b)
        return b
    }
}
