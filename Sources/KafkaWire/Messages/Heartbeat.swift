import NIOCore

// Heartbeat (key 12), v0–v3.

/// Heartbeat request.
public struct HeartbeatRequest: KafkaMessage {
    public static let apiKey = ApiKey.heartbeat

    public var groupId: String
    public var generationId: Int32
    public var memberId: String
    /// v3+; default nil.
    public var groupInstanceId: String?

    public init(groupId: String, generationId: Int32, memberId: String, groupInstanceId: String? = nil) {
        self.groupId = groupId
        self.generationId = generationId
        self.memberId = memberId
        self.groupInstanceId = groupInstanceId
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = HeartbeatRequest(groupId: try b.readKafkaString("group_id"), generationId: try b.readKafkaInt32("generation_id"),
                                     memberId: try b.readKafkaString("member_id"))
            if version >= 3 { r.groupInstanceId = try b.readKafkaNullableString("group_instance_id") }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaString(groupId)
        buffer.writeKafkaInt32(generationId)
        buffer.writeKafkaString(memberId)
        if version >= 3 { buffer.writeKafkaNullableString(groupInstanceId) }
    }
}

/// Heartbeat response.
public struct HeartbeatResponse: KafkaMessage {
    public static let apiKey = ApiKey.heartbeat

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    public var errorCode: Int16

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0
            return HeartbeatResponse(throttleTimeMs: throttle, errorCode: try b.readKafkaInt16("error_code"))
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaInt16(errorCode)
    }
}
