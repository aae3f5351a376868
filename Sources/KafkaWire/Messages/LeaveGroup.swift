import NIOCore

// LeaveGroup (key 13), v0–v3. v0–v2 carry one member id; v3 carries a member list with a
// result per member.

/// LeaveGroup request.
public struct LeaveGroupRequest: KafkaMessage {
    public static let apiKey = ApiKey.leaveGroup

    /// v3+ member identity.
    public struct Member: KafkaWireCodable {
        public var memberId: String
        public var groupInstanceId: String?

        public init(memberId: String, groupInstanceId: String? = nil) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Member(memberId: try b.readKafkaString("member_id"), groupInstanceId: try b.readKafkaNullableString("group_instance_id"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(memberId)
            b.writeKafkaNullableString(groupInstanceId)
        }
    }

    public var groupId: String
    /// v0–v2 only; default "".
    public var memberId: String
    /// v3+ only; default [].
    public var members: [Member]

    public init(groupId: String, memberId: String = "", members: [Member] = []) {
        self.groupId = groupId
        self.memberId = memberId
        self.members = members
    }

    /// The leaving member ids whatever the version (v0–v2: the single id; v3+: the list).
    public func leavingMemberIds(version: Int16) -> [String] {
        version >= 3 ? members.map(\.memberId) : [memberId]
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            var r = LeaveGroupRequest(groupId: try b.readKafkaString("group_id"))
            if version >= 3 {
                r.members = try b.readKafkaArray(of: Member.self, version: version, "members")
            } else {
                r.memberId = try b.readKafkaString("member_id")
            }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        buffer.writeKafkaString(groupId)
        if version >= 3 {
            buffer.writeKafkaArray(members, version: version)
        } else {
            buffer.writeKafkaString(memberId)
        }
    }
}

/// LeaveGroup response.
public struct LeaveGroupResponse: KafkaMessage {
    public static let apiKey = ApiKey.leaveGroup

    /// v3+ per-member result.
    public struct Member: KafkaWireCodable {
        public var memberId: String
        public var groupInstanceId: String?
        public var errorCode: Int16

        public init(memberId: String, groupInstanceId: String? = nil, errorCode: Int16 = 0) {
            self.memberId = memberId
            self.groupInstanceId = groupInstanceId
            self.errorCode = errorCode
        }

        public static func decode(from b: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
            Member(memberId: try b.readKafkaString("member_id"), groupInstanceId: try b.readKafkaNullableString("group_instance_id"),
                   errorCode: try b.readKafkaInt16("error_code"))
        }

        public func encode(into b: inout ByteBuffer, version: Int16) {
            b.writeKafkaString(memberId)
            b.writeKafkaNullableString(groupInstanceId)
            b.writeKafkaInt16(errorCode)
        }
    }

    /// v1+; default 0.
    public var throttleTimeMs: Int32
    public var errorCode: Int16
    /// v3+; default [].
    public var members: [Member]

    public init(throttleTimeMs: Int32 = 0, errorCode: Int16 = 0, members: [Member] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.members = members
    }

    public static func decode(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError) -> Self {
        try decodeMessage(&buffer, version) { (b: inout ByteBuffer) throws(KafkaWireError) in
            let throttle = version >= 1 ? try b.readKafkaInt32("throttle_time_ms") : 0
            var r = LeaveGroupResponse(throttleTimeMs: throttle, errorCode: try b.readKafkaInt16("error_code"))
            if version >= 3 { r.members = try b.readKafkaArray(of: Member.self, version: version, "members") }
            return r
        }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) {
        Self.assertEncodable(version)
        if version >= 1 { buffer.writeKafkaInt32(throttleTimeMs) }
        buffer.writeKafkaInt16(errorCode)
        if version >= 3 { buffer.writeKafkaArray(members, version: version) }
    }
}
