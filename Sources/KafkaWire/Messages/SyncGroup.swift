import NIOCore

// SyncGroup (key 14), v0–v3. Assignments are opaque bytes (ConsumerProtocolAssignment).

/// SyncGroup request. Only the leader sends assignments.
public struct SyncGroupRequest: KafkaMessage {
    public static let apiKey = ApiKey.syncGroup

    public struct Assignment: KafkaWireCodable {
        public var memberId: String
        public var assignment: ByteBuffer

        public init(memberId: String, assignment: ByteBuffer) {
            self.memberId = memberId
            self.assignment = assignment
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Assignment(memberId: try b.readKafkaString("member_id"), assignment: try b.readKafkaBytes("assignment"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(memberId)
            b.writeKafkaBytes(assignment)
        }
    }

    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    /// v3+; default nil.
    public var groupInstanceId: String?
    public var assignments: [Assignment]

    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil, assignments: [Assignment]) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
        self.assignments = assignments
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = SyncGroupRequest(groupId: try b.readKafkaString("group_id"), generationId: try b.readKafkaInt32("generation_id"),
                                     memberId: try b.readKafkaString("member_id"), assignments: [])
            if version >= 3 { r.groupInstanceId = try b.readKafkaNullableString("group_instance_id") }
            r.assignments = try b.readKafkaArray(of: Assignment.self, version: version, "assignments")
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaString(groupId)
        buffer.writeKafkaInt32(generationId)
        buffer.writeKafkaString(memberId)
        if version >= 3 { buffer.writeKafkaNullableString(groupInstanceId) }
        buffer.writeKafkaArray(assignments, version: version)
    }
}

/// SyncGroup response.
public struct SyncGroupResponse: KafkaMessage {
    public static let apiKey = ApiKey.syncGroup

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    /// This member's assignment (empty bytes when it has none).
    public var assignment: ByteBuffer

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, assignment: ByteBuffer = ByteBuffer()) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.assignment = assignment
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return SyncGroupResponse(throttleTimeMs: throttle, errorCode: try b.readKafkaInt16("error_code"),
                                     assignment: try b.readKafkaBytes("assignment"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaInt16(errorCode)
        buffer.writeKafkaBytes(assignment)
    }
}
